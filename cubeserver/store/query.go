package store

// Range bounds a numeric column; nil bounds are open. Time columns (created_at,
// updated_at) are compared in unix milliseconds, wire integers (date_sent) as stored.
type Range struct {
	EQ, NE, GT, GTE, LT, LTE *int64
}

// IsZero tells whether the range does not filter at all.
func (r Range) IsZero() bool {
	return r.EQ == nil && r.NE == nil && r.GT == nil && r.GTE == nil && r.LT == nil && r.LTE == nil
}

// conditions returns SQL conditions on col and their arguments.
func (r Range) conditions(col string) ([]string, []any) {
	var conds []string
	var args []any
	for _, b := range []struct {
		op string
		v  *int64
	}{{"=", r.EQ}, {"!=", r.NE}, {">", r.GT}, {">=", r.GTE}, {"<", r.LT}, {"<=", r.LTE}} {
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

// StringFilter is the text filter of a field: field=v, field[ne]=v, field[in]=a,b,
// field[nin]=a,b and field[ctn]=v (contains, case-sensitive). Zero values do not filter.
type StringFilter struct {
	EQ, NE, Ctn *string
	In, NIn     []string
}

// IsZero tells whether the filter does not filter at all.
func (f StringFilter) IsZero() bool {
	return f.EQ == nil && f.NE == nil && f.Ctn == nil && len(f.In) == 0 && len(f.NIn) == 0
}

// addString adds the conditions of f on the SQL expression expr (whose own arguments,
// if any, are exprArgs and repeat for each condition).
func (w *whereBuilder) addString(expr string, f StringFilter, exprArgs ...any) {
	if f.EQ != nil {
		w.add(expr+" = ?", append(append([]any{}, exprArgs...), *f.EQ)...)
	}
	if f.NE != nil {
		w.add("COALESCE("+expr+", '') != ?", append(append([]any{}, exprArgs...), *f.NE)...)
	}
	if f.Ctn != nil {
		w.add("instr("+expr+", ?) > 0", append(append([]any{}, exprArgs...), *f.Ctn)...)
	}
	if len(f.In) > 0 {
		w.add(expr+" IN ("+placeholders(len(f.In))+")", append(append([]any{}, exprArgs...), stringArgs(f.In)...)...)
	}
	if len(f.NIn) > 0 {
		w.add("COALESCE("+expr+", '') NOT IN ("+placeholders(len(f.NIn))+")", append(append([]any{}, exprArgs...), stringArgs(f.NIn)...)...)
	}
}
