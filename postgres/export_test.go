package postgres

// CellTokens exposes cellTokens to the external tests.
var CellTokens = cellTokens
