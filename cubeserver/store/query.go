package store

// Range bounds a numeric column; nil bounds are open. Time columns (created_at,
// updated_at) are compared in unix milliseconds, wire integers (date_sent) as stored.
type Range struct {
	EQ, GT, GTE, LT, LTE *int64
}

// IsZero tells whether the range does not filter at all.
func (r Range) IsZero() bool {
	return r.EQ == nil && r.GT == nil && r.GTE == nil && r.LT == nil && r.LTE == nil
}

// conditions returns SQL conditions on col and their arguments.
func (r Range) conditions(col string) ([]string, []any) {
	var conds []string
	var args []any
	for _, b := range []struct {
		op string
		v  *int64
	}{{"=", r.EQ}, {">", r.GT}, {">=", r.GTE}, {"<", r.LT}, {"<=", r.LTE}} {
		if b.v != nil {
			conds = append(conds, col+" "+b.op+" ?")
			args = append(args, *b.v)
		}
	}
	return conds, args
}

// whereBuilder collects AND-ed SQL conditions with their arguments.
type whereBuilder struct {
	conds []string
	args  []any
}

func (w *whereBuilder) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *whereBuilder) addRange(col string, r Range) {
	conds, args := r.conditions(col)
	w.conds = append(w.conds, conds...)
	w.args = append(w.args, args...)
}

func (w *whereBuilder) addInStrings(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	w.conds = append(w.conds, col+" IN ("+placeholders(len(vals))+")")
	for _, v := range vals {
		w.args = append(w.args, v)
	}
}

func (w *whereBuilder) addInInts(col string, vals []int64) {
	if len(vals) == 0 {
		return
	}
	w.conds = append(w.conds, col+" IN ("+placeholders(len(vals))+")")
	for _, v := range vals {
		w.args = append(w.args, v)
	}
}

// and returns " AND c1 AND c2 …" (empty when there are no conditions), to follow a
// WHERE clause that already has a first condition.
func (w *whereBuilder) and() string {
	s := ""
	for _, c := range w.conds {
		s += " AND " + c
	}
	return s
}

// sqlLimit turns a page size into a LIMIT value: 0 or less means no limit, for callers
// such as the demo seeder that want everything.
func sqlLimit(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}
