// Package readmetest holds the test that checks the module's README.md
// against the code: every ```go block builds (a block that defines a test
// function runs as a test), every ```c block compiles against include/
// with the strict flags, and the lists and figures the README quotes
// (sentinel errors, make targets, the bytes functions of the dot scan)
// match what the code has. The hostile table has its own check
// (internal/hostile's TestREADMETable).
package readmetest
