package connectrs

// Code exposes the HTTP status to Connect code mapping to the tests.
var Code = code
