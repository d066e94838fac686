-- information_schema._pg_expandarray(anyarray): the elements of an array
-- with their 1-based positions, a set of (x, n) records. pgjdbc's
-- getPrimaryKeys and getIndexInfo call it in the select list and read
-- (...).x and (...).n, which DuckDB does on STRUCTs unnested from a list.
CREATE MACRO lakegate_information_schema._pg_expandarray(arr) AS
    unnest(list_transform(range(1, len(arr) + 1), i -> {'x': arr[i], 'n': CAST(i AS INTEGER)}));
