package translator

import "testing"

// The paths must spell exactly what fmt.Sprintf and "+" built before them:
// error messages, and the golden files holding them, name fields this way.
func TestFieldPathString(t *testing.T) {
	root := rootPath("listeners[0]")
	vh := root.item("virtualHosts", 1)
	rt := vh.item("routes", 12)
	fwd := rt.field("action.forward")
	bs := fwd.field("backends")
	b := bs.at(3)
	empty := rootPath("")
	e := empty.item("virtualHosts", 0)
	cases := []struct {
		got  string
		want string
	}{
		{root.String(), "listeners[0]"},
		{vh.String(), "listeners[0].virtualHosts[1]"},
		{rt.String(), "listeners[0].virtualHosts[1].routes[12]"},
		{fwd.String(), "listeners[0].virtualHosts[1].routes[12].action.forward"},
		{b.String(), "listeners[0].virtualHosts[1].routes[12].action.forward.backends[3]"},
		{b.sub("cluster"), "listeners[0].virtualHosts[1].routes[12].action.forward.backends[3].cluster"},
		{e.String(), ".virtualHosts[0]"},
		{empty.String(), ""},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
