package testenv

import (
	"fmt"
	"sort"
	"strings"
)

// Summary turns the lines record wrote (the contents of the summary file)
// into the one line make test ends with: how many tests were skipped, by
// which variable and why, or that none was.
func Summary(recorded string) string {
	type group struct {
		env, why string
		n        int
	}
	groups := map[string]*group{}
	total := 0
	for _, line := range strings.Split(recorded, "\n") {
		env, rest, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		why, _, _ := strings.Cut(rest, "\t")
		key := env + "\t" + why
		if groups[key] == nil {
			groups[key] = &group{env: env, why: why}
		}
		groups[key].n++
		total++
	}
	if total == 0 {
		return "make test: every test ran; none was skipped"
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].env < list[j].env
	})
	parts := make([]string, len(list))
	for i, g := range list {
		parts[i] = fmt.Sprintf("%d by %s (%s)", g.n, g.env, g.why)
	}
	return fmt.Sprintf("make test: %d %s SKIPPED, not passed: %s", total, plural(total, "test"), strings.Join(parts, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
