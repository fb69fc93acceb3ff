// Command skipreport prints the line make test ends with: how many tests
// were skipped and why, from the file the tests recorded their skips in
// (testenv.SummaryEnv). A missing file means no test skipped.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/nxpop3/nxpop3/internal/testenv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: skipreport FILE")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintln(os.Stderr, "skipreport:", err)
		os.Exit(1)
	}
	fmt.Println(testenv.Summary(string(b)))
}
