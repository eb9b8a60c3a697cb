package rules

import (
	"reflect"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
)

// factsValue is Facts as a CEL map. Selecting a fact (event.x, has(event.x),
// event["x"], "x" in event) asks Facts for that fact alone; anything else
// a map can do is done by the map of every fact, built on first use.
// Expressions that iterate the event get the sorted map instead (see
// Program.value), so the order of keys is never Facts'.
type factsValue struct {
	facts Facts
	all   traits.Mapper
}

var _ traits.Mapper = (*factsValue)(nil)

// every is the map of every fact.
func (v *factsValue) every() traits.Mapper {
	if v.all == nil {
		v.all = types.DefaultTypeAdapter.NativeToValue(v.facts.Map()).(traits.Mapper)
	}
	return v.all
}

// Find is the fact named by key. A key that is not a string is looked up
// in the map of every fact, which answers as a map would.
func (v *factsValue) Find(key ref.Val) (ref.Val, bool) {
	name, ok := key.(types.String)
	if !ok {
		return v.every().Find(key)
	}
	fact, ok := v.facts.Fact(string(name))
	if !ok {
		return nil, false
	}
	return types.DefaultTypeAdapter.NativeToValue(fact), true
}

func (v *factsValue) Get(key ref.Val) ref.Val {
	if fact, ok := v.Find(key); ok {
		return fact
	}
	return v.every().Get(key) // the error a map gives
}

func (v *factsValue) Contains(key ref.Val) ref.Val {
	if _, ok := key.(types.String); !ok {
		return v.every().Contains(key)
	}
	_, ok := v.Find(key)
	return types.Bool(ok)
}

func (v *factsValue) Iterator() traits.Iterator { return v.every().Iterator() }

func (v *factsValue) Size() ref.Val { return v.every().Size() }

func (v *factsValue) Equal(other ref.Val) ref.Val { return v.every().Equal(other) }

func (v *factsValue) ConvertToNative(typeDesc reflect.Type) (any, error) {
	return v.every().ConvertToNative(typeDesc)
}

func (v *factsValue) ConvertToType(typeVal ref.Type) ref.Val { return v.every().ConvertToType(typeVal) }

func (v *factsValue) Type() ref.Type { return types.MapType }

func (v *factsValue) Value() any { return v.facts.Map() }
