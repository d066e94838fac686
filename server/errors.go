package server

import (
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/sqlstate"
)

// errorResponse is the one place an error becomes an ErrorResponse.
func errorResponse(err error) *pgproto3.ErrorResponse {
	e := sqlstate.From(err)
	severity := string(e.Severity)
	if severity == "" {
		severity = string(sqlstate.SeverityError)
	}
	return &pgproto3.ErrorResponse{
		Severity:            severity,
		SeverityUnlocalized: severity,
		Code:                string(e.Code),
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
	}
}

// noticeResponse turns a warning or notice into a NoticeResponse.
func noticeResponse(n *sqlstate.Error) *pgproto3.NoticeResponse {
	return (*pgproto3.NoticeResponse)(errorResponse(n))
}
