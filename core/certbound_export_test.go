package core

// DescCertBinding is exported for the black-box tests of package core_test
// only: behaviour to test, not API.
const DescCertBinding = descCertBinding
