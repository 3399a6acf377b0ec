package app

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"
)

// Dates in the user's language: Go formats day and month names in English only, so
// localDate formats the rest of a layout with Go and puts in the catalogue's names. The
// layouts themselves are translated too (German writes "2. Jan.", English "2 Jan").

// The layouts the UI uses (Go reference time), translated by localDate's callers.
func layoutShortDate() string     { return lang.X("layout.short_date", "2 Jan") }
func layoutShortDateYear() string { return lang.X("layout.short_date_year", "2 Jan 2006") }
func layoutWeekdayDate() string   { return lang.X("layout.weekday_date", "Monday, 2 January") }
func layoutDate() string          { return lang.X("layout.date", "2 January 2006") }
func layoutNumericDate() string   { return lang.X("layout.numeric_date", "02.01.2006") }

// localDate formats t with layout, naming days and months in the user's language.
func localDate(t time.Time, layout string) string {
	var b strings.Builder
	rest := layout
	for rest != "" {
		i, token := nextNameToken(rest)
		b.WriteString(t.Format(rest[:i]))
		if token == "" {
			break
		}
		b.WriteString(dateName(t, token))
		rest = rest[i+len(token):]
	}
	return b.String()
}

// nextNameToken finds the first day or month name in a Go layout: its index and the
// token ("" and len(layout) when there is none).
func nextNameToken(layout string) (int, string) {
	for i := 0; i < len(layout); i++ {
		for _, tok := range []string{"Monday", "Mon", "January", "Jan"} {
			if strings.HasPrefix(layout[i:], tok) {
				return i, tok
			}
		}
	}
	return len(layout), ""
}

func dateName(t time.Time, token string) string {
	switch token {
	case "Monday":
		return weekdayNames()[t.Weekday()]
	case "Mon":
		return weekdayShortNames()[t.Weekday()]
	case "January":
		return monthNames()[t.Month()-1]
	default:
		return monthShortNames()[t.Month()-1]
	}
}

func weekdayNames() [7]string {
	return [7]string{lang.L("Sunday"), lang.L("Monday"), lang.L("Tuesday"), lang.L("Wednesday"),
		lang.L("Thursday"), lang.L("Friday"), lang.L("Saturday")}
}

func weekdayShortNames() [7]string {
	return [7]string{lang.X("day.sun", "Sun"), lang.X("day.mon", "Mon"), lang.X("day.tue", "Tue"),
		lang.X("day.wed", "Wed"), lang.X("day.thu", "Thu"), lang.X("day.fri", "Fri"), lang.X("day.sat", "Sat")}
}

func monthNames() [12]string {
	return [12]string{lang.L("January"), lang.L("February"), lang.L("March"), lang.L("April"),
		lang.L("May"), lang.L("June"), lang.L("July"), lang.L("August"), lang.L("September"),
		lang.L("October"), lang.L("November"), lang.L("December")}
}

func monthShortNames() [12]string {
	return [12]string{lang.X("month.jan", "Jan"), lang.X("month.feb", "Feb"), lang.X("month.mar", "Mar"),
		lang.X("month.apr", "Apr"), lang.X("month.may", "May"), lang.X("month.jun", "Jun"),
		lang.X("month.jul", "Jul"), lang.X("month.aug", "Aug"), lang.X("month.sep", "Sep"),
		lang.X("month.oct", "Oct"), lang.X("month.nov", "Nov"), lang.X("month.dec", "Dec")}
}
