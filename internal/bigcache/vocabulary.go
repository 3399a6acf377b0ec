package bigcache

import "strings"

// common are frequent English words in about their order of frequency in chat:
// the head of the fixture's Zipf distribution.
var common = strings.Fields(`the i you to a and it is that of in for me be have on
	this we not are do with my so what but can just was will at get no all your like
	know if up ok about they out yes go there one good from now how time think see
	when would thanks then too here well them more need he she our want today tomorrow
	meeting lunch coffee project release deploy review weekend photo call later great
	sure maybe deadline budget invoice holiday train airport dinner movie music football
	work home back morning night week month year people thing day new first last long
	little right big high different small large next early young important few public
	bad same able team office client email report draft plan update issue fix build test
	branch merge server database cache search message dialog chat group file image link
	please sorry hello hi bye yeah nope cool nice awesome perfect fine done ready soon
	going doing making taking coming looking trying working talking thinking waiting
	should could might must shall may let make take come look try talk wait send read
	write open close start stop finish begin end check ask tell say give find keep
	leave put run walk eat drink sleep play watch listen buy pay sell share meet join
	car bus bike road street city town country house room door window table chair bed
	water food bread cheese pizza pasta salad soup tea beer wine juice milk sugar salt
	monday tuesday wednesday thursday friday saturday sunday january february march april
	june july august september october november december spring summer autumn winter
	red blue green yellow black white brown orange purple pink grey gold silver
	mother father sister brother friend family kids baby dog cat bird fish horse
	happy sad angry tired busy free late quick slow easy hard cheap expensive hot cold`)

// vocabulary returns n distinct lower-case words: the common ones, then made-up
// words from syllables, the long tail of names, places and jargon real chat has.
func vocabulary(n int) []string {
	syllables := strings.Fields(`ka lo mi ra ten vor sel dun pe bri sto qua na lis gor fen tu zel
		mar co ve dra nik pol sa tri umb wex yo har gin bel tor`)
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	add := func(w string) {
		if !seen[w] && len(out) < n {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, w := range common {
		add(w)
	}
	for i := 0; len(out) < n; i++ {
		// Two to four syllables, the index written in base len(syllables).
		var b strings.Builder
		k := i
		for j := 0; j < 2+i%3; j++ {
			b.WriteString(syllables[k%len(syllables)])
			k /= len(syllables)
			k += j * 7
		}
		if w := b.String(); w != RareWord {
			add(w)
		}
	}
	return out
}
