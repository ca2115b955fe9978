package web

import (
	"errors"
	"net/url"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
	"github.com/lossplayground/playground/web/class"
)

// classCheckPage is the class hub's CheckPage: a class state's page (a
// loss and its query) is checked as /losses/{slug}?{query} would check it,
// before the state is stored or fanned out. A page that would answer 400
// is refused to the teacher or student who sent it, naming the field, and
// never reaches a student's screen (where it made every page reload in a
// loop).
func classCheckPage(loss, query string) error {
	spec, ok := engine.Lookup(loss)
	if !ok {
		return class.Errorf("loss", "no loss named %s", loss)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return class.Errorf("query", "not a query string: %v", err)
	}
	st, err := state.Parse(spec, q)
	if err == nil {
		_, err = engine.DecodeCall(spec, st.Params, st.Inputs)
	}
	var ee *engine.Error
	if errors.As(err, &ee) {
		return &class.Error{Field: "query", Msg: ee.Error(), Err: ee}
	}
	if err != nil {
		return &class.Error{Field: "query", Msg: err.Error()}
	}
	return nil
}
