package main

import (
	"fmt"
	"strings"
)

// lineDiff shows how new differs from old, line by line: each run of
// changed lines under a "@@ -old +new @@" header with its line numbers,
// without context. Enough to see what a regeneration would change without
// a diff tool; headers are small, so the quadratic LCS costs nothing.
func lineDiff(old, new []byte) string {
	a, b := lines(old), lines(new)
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	inHunk := false
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			inHunk = false
			i, j = i+1, j+1
			continue
		case !inHunk:
			fmt.Fprintf(&sb, "@@ -%d +%d @@\n", i+1, j+1)
			inHunk = true
		}
		// Deletions first, as diff -u shows a replaced line.
		if i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]) {
			fmt.Fprintf(&sb, "-%s\n", a[i])
			i++
		} else {
			fmt.Fprintf(&sb, "+%s\n", b[j])
			j++
		}
	}
	return sb.String()
}

// lines splits s into lines without their newlines.
func lines(s []byte) []string {
	if len(s) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(s), "\n"), "\n")
}
