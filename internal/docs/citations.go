package docs

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

// citation matches "protocol.md" (or "docs/protocol.md") followed by a section — "§8.12",
// a list or range of them ("§8.5, §8.7", "§2–§4"), or "Appendix A". Comment text is
// joined into one line first, so a citation broken across lines still matches.
var citation = regexp.MustCompile(`protocol\.md\s*(§\s*\d+(?:\.\d+)*(?:\s*(?:,|–|-|and|or)\s*§\s*\d+(?:\.\d+)*)*|Appendix\s+[A-Z]\b)`)

var sectionNumber = regexp.MustCompile(`§\s*(\d+(?:\.\d+)*)`)

// Citations returns the protocol.md sections a piece of comment text cites, as
// "8.12" or "Appendix A", in order of appearance.
func Citations(text string) []string {
	text = strings.Join(strings.Fields(text), " ")
	var out []string
	for _, m := range citation.FindAllStringSubmatch(text, -1) {
		if strings.HasPrefix(m[1], "Appendix") {
			out = append(out, strings.Join(strings.Fields(m[1]), " "))
			continue
		}
		for _, n := range sectionNumber.FindAllStringSubmatch(m[1], -1) {
			out = append(out, n[1])
		}
	}
	return out
}

var heading = regexp.MustCompile(`^#{1,6}\s+(?:(\d+(?:\.\d+)*)\.?\s|(Appendix\s+[A-Z])\b)`)

// Sections reads the numbered headings of a Markdown document ("## 8. …" gives "8",
// "### 8.12 …" gives "8.12", "## Appendix A. …" gives "Appendix A"). Lines inside fenced
// code blocks are not headings.
func Sections(md io.Reader) (map[string]bool, error) {
	out := map[string]bool{}
	sc := bufio.NewScanner(md)
	inFence := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			if m[1] != "" {
				out[m[1]] = true
			} else {
				out[m[2]] = true
			}
		}
	}
	return out, sc.Err()
}
