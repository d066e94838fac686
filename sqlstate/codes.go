package sqlstate

// Code is a five-character PostgreSQL SQLSTATE.
type Code string

// The codes lakegate reports, named as in PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion Code = "00000"
	Warning              Code = "01000"

	ConnectionException    Code = "08000"
	ConnectionFailure      Code = "08006"
	ProtocolViolation      Code = "08P01"
	FeatureNotSupported    Code = "0A000"
	InvalidParameterValue  Code = "22023"
	CantChangeRuntimeParam Code = "55P02"

	CardinalityViolation         Code = "21000"
	DataException                Code = "22000"
	StringDataRightTruncation    Code = "22001"
	NumericValueOutOfRange       Code = "22003"
	InvalidDatetimeFormat        Code = "22007"
	DatetimeFieldOverflow        Code = "22008"
	DivisionByZero               Code = "22012"
	InvalidTextRepresentation    Code = "22P02"
	InvalidBinaryRepresentation  Code = "22P03"
	CharacterNotInRepertoire     Code = "22021"
	SequenceGeneratorLimit       Code = "2200H"
	IntegrityConstraintViolation Code = "23000"

	ActiveSQLTransaction              Code = "25001"
	NoActiveSQLTransaction            Code = "25P01"
	InFailedSQLTransaction            Code = "25P02"
	ReadOnlySQLTransaction            Code = "25006"
	InvalidSQLStatementName           Code = "26000"
	ObjectNotInPrerequisiteState      Code = "55000"
	InvalidSavepointSpecification     Code = "3B001"
	InvalidCursorName                 Code = "34000"
	InvalidAuthorizationSpecification Code = "28000"
	InvalidPassword                   Code = "28P01"
	DependentObjectsStillExist        Code = "2BP01"

	SyntaxErrorOrAccessRuleViolation   Code = "42000"
	SyntaxError                        Code = "42601"
	InsufficientPrivilege              Code = "42501"
	UndefinedColumn                    Code = "42703"
	UndefinedFunction                  Code = "42883"
	UndefinedTable                     Code = "42P01"
	UndefinedParameter                 Code = "42P02"
	UndefinedObject                    Code = "42704"
	DatatypeMismatch                   Code = "42804"
	IndeterminateDatatype              Code = "42P18"
	InvalidPreparedStatementDefinition Code = "42P14"
	DuplicatePreparedStatement         Code = "42P05"
	DuplicateCursor                    Code = "42P03"

	InsufficientResources Code = "53000"
	OutOfMemory           Code = "53200"
	ProgramLimitExceeded  Code = "54000"

	QueryCanceled    Code = "57014"
	AdminShutdown    Code = "57P01"
	CannotConnectNow Code = "57P03"

	SystemError     Code = "58000"
	IOError         Code = "58030"
	ConfigFileError Code = "F0000"
	InternalError   Code = "XX000"
)
