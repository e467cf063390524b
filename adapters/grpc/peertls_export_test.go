package grpcrs

// PeerTLS exposes peerTLS to the tests.
var PeerTLS = peerTLS
