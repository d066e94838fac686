// node-postgres checks against lakegate, run by test/clients_test.go
// (TestClients/node-postgres): one JSON line per check on stdout,
// {"check": name, "ok": bool, "detail": text}. A check throws to fail and
// returns a detail to pass.
//
// Usage: node checks.js host port user
'use strict';

const assert = require('node:assert/strict');
const { Client } = require('pg');

const [host, port, user] = process.argv.slice(2);

async function withClient(fn) {
  const client = new Client({ host, port: Number(port), user, database: 'lakegate', connectionTimeoutMillis: 10000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const LITERALS_SQL =
  "select 9223372036854775807::int8 as i8, 2147483647::int4 as i4, (-32768)::int2 as i2," +
  " 12345678.90::numeric(10,2) as num, 1.5::float8 as f8, 'héllo'::varchar as vc," +
  " true as b, date '2024-02-29' as d, timestamp '2024-03-01 12:34:56.789012' as ts," +
  " timestamptz '2024-03-01 12:34:56.789012+00' as tstz, null::int4 as nul";

const checks = [
  ['connect', (c) => withClient(async (client) => {
    const version = client.connection.parameters?.server_version ?? (await client.query('show server_version')).rows[0].server_version;
    assert.match(String(version), /^1[2-9]|^[2-9]\d/, `server_version ${version}`);
    const res = await client.query('select 1 as one');
    assert.equal(res.rows[0].one, 1);
    return `server_version ${version}`;
  })],

  // pg's default text parsers: int8 and numeric stay strings (no precision
  // loss), date and timestamps become Date objects in the local time zone.
  ['types.literals', () => withClient(async (client) => {
    const { rows: [r] } = await client.query(LITERALS_SQL);
    assert.equal(r.i8, '9223372036854775807');
    assert.equal(r.i4, 2147483647);
    assert.equal(r.i2, -32768);
    assert.equal(r.num, '12345678.90');
    assert.equal(r.f8, 1.5);
    assert.equal(r.vc, 'héllo');
    assert.equal(r.b, true);
    assert.ok(r.d instanceof Date && r.d.getFullYear() === 2024 && r.d.getMonth() === 1 && r.d.getDate() === 29, `date ${r.d}`);
    assert.ok(r.ts instanceof Date && r.ts.getHours() === 12 && r.ts.getMilliseconds() === 789, `timestamp ${r.ts}`);
    assert.ok(r.tstz instanceof Date, `timestamptz ${r.tstz}`);
    assert.equal(r.tstz.toISOString(), '2024-03-01T12:34:56.789Z');
    assert.equal(r.nul, null);
    return 'string (int8, numeric), number, boolean, Date, null';
  })],

  ['types.arrays', () => withClient(async (client) => {
    const { rows: [r] } = await client.query("select ARRAY[1,2,3]::int4[] as ints, ARRAY['a','b']::text[] as texts, 'abc'::bytea as by");
    assert.deepEqual(r.ints, [1, 2, 3]);
    assert.deepEqual(r.texts, ['a', 'b']);
    assert.ok(Buffer.isBuffer(r.by) && r.by.toString() === 'abc', `bytea ${r.by}`);
    return 'arrays of number and string, bytea as Buffer';
  })],

  ['types.lake', () => withClient(async (client) => {
    const { rows: [r] } = await client.query(
      'select * from demo.sales where discount is not null and note is not null and customer_id is not null' +
      ' and settled_at is not null order by sale_id limit 1');
    const want = {
      sale_id: 'string', sale_date: 'Date', sold_at: 'Date', settled_at: 'Date', store_id: 'number',
      product_id: 'number', customer_id: 'string', quantity: 'number', unit_price: 'string', discount: 'number',
      total: 'string', channel: 'string', is_return: 'boolean', note: 'string',
    };
    const got = {};
    for (const [k, v] of Object.entries(r)) got[k] = v instanceof Date ? 'Date' : typeof v;
    assert.deepEqual(got, want);
    return Object.entries(got).map(([k, v]) => `${k} ${v}`).join(', ');
  })],

  ['parameters', () => withClient(async (client) => {
    const got = await client.query('select count(*)::int4 as n from demo.sales where sale_date = $1 and store_id = $2 and channel = $3',
      ['2024-03-01', 3, 'web']);
    const want = await client.query("select count(*)::int4 as n from demo.sales where sale_date = date '2024-03-01' and store_id = 3 and channel = 'web'");
    assert.ok(want.rows[0].n > 0, 'no rows');
    assert.equal(got.rows[0].n, want.rows[0].n);
    return `${got.rows[0].n} rows, as with literals`;
  })],

  // A named query is parsed once as a named server statement and then
  // only bound and executed.
  ['prepared.named', () => withClient(async (client) => {
    const query = {
      name: 'sales_of_store',
      text: 'select sale_id, sold_at, unit_price from demo.sales where sale_date = $1 and store_id = $2 order by sale_id limit 20',
    };
    const first = await client.query({ ...query, values: ['2024-03-01', 5] });
    assert.ok(first.rows.length > 0, 'no rows');
    for (let i = 0; i < 3; i++) {
      const again = await client.query({ ...query, values: ['2024-03-01', 5] });
      assert.deepEqual(again.rows, first.rows);
    }
    const other = await client.query({ ...query, values: ['2024-03-02', 5] });
    assert.notDeepEqual(other.rows, first.rows);
    return `${first.rows.length} rows, the same on 4 runs of one named statement`;
  })],

  ['rowMode.array', () => withClient(async (client) => {
    const res = await client.query({
      text: 'select sale_id, sale_date, sold_at, settled_at, store_id, quantity, unit_price, discount, channel, is_return from demo.sales order by sale_id limit 3',
      rowMode: 'array',
    });
    assert.equal(res.rows.length, 3);
    assert.ok(Array.isArray(res.rows[0]) && res.rows[0].length === 10, 'rows are arrays');
    assert.equal(res.rows[0][0], '1');
    const oids = res.fields.map((f) => f.dataTypeID);
    // int8 date timestamp timestamptz int4 int2 numeric float8 text|varchar bool
    assert.deepEqual(oids.map((o) => (o === 1043 ? 25 : o)), [20, 1082, 1114, 1184, 23, 21, 1700, 701, 25, 16]);
    return `arrays; field type OIDs ${oids.join(' ')}`;
  })],

  ['error.sqlstate', () => withClient(async (client) => {
    await assert.rejects(client.query('select * from demo.no_such_table'), (err) => err.code === '42P01');
    const res = await client.query('select count(*)::int4 as n from demo.stores');
    assert.equal(res.rows[0].n, 50);
    return '42P01, and the connection goes on';
  })],
];

function describe(err) {
  let text = String(err && err.message !== undefined ? err.message : err).split('\n')[0];
  if (text.length > 300) text = text.slice(0, 300) + '...';
  return `${err && err.name ? err.name : 'Error'}: ${text}`;
}

(async () => {
  for (const [name, fn] of checks) {
    let ok = true;
    let detail;
    try {
      detail = await fn();
    } catch (err) {
      ok = false;
      detail = describe(err);
    }
    process.stdout.write(JSON.stringify({ check: name, ok, detail: String(detail ?? '') }) + '\n');
  }
})();
