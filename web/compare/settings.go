package compare

import (
	"math"
	"slices"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// checkLang reports an *engine.Error unless lang is empty or one of the
// interface languages.
func checkLang(lang string) error {
	if lang != "" && !slices.Contains(i18n.Languages, lang) {
		return engine.Errorf("lang", `must be "en" or "zh", got %q`, lang)
	}
	return nil
}

// checkDType reports an *engine.Error naming dtype unless dtype is empty
// (float64) or "float32".
func checkDType(dtype string) error {
	if dtype == "" {
		return nil
	}
	if d, err := engine.ParseDType(dtype); err != nil || d != engine.Float32 {
		return engine.Errorf("dtype", `must be "float32", or absent for float64, got %q`, dtype)
	}
	return nil
}

// setDType makes call compute in dtype ("" is float64).
func setDType(call *engine.Call, dtype string) error {
	if dtype == "float32" {
		return call.SetDType(engine.Float32)
	}
	return nil
}

// checkRange reports an *engine.Error naming field unless v is finite and
// in [lo, hi] (or (lo, hi] with openLow).
func checkRange(field string, v, lo, hi float64, openLow bool) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return engine.Errorf(field, "must be a finite number, got %v", v)
	case openLow && v <= lo:
		return engine.Errorf(field, "must be greater than %g, got %g", lo, v)
	case v < lo || v > hi:
		return engine.Errorf(field, "must be between %g and %g, got %g", lo, hi, v)
	}
	return nil
}
