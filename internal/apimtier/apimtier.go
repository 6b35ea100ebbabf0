// Package apimtier knows which API Management tiers carry long-running
// connections, from azurerm's sku_name.
package apimtier

import (
	"fmt"
	"strconv"
	"strings"
)

// tier is a sku_name prefix and the capacities azurerm's format allows
// (FACTS.md: Consumption_0, Developer_1, Basic_1|2, Standard_1..4,
// Premium_N, BasicV2_N, StandardV2_N, PremiumV2_N).
type tier struct {
	name           string
	minCap, maxCap int // maxCap 0: no upper bound in the sources
	sse            bool
}

var tiers = []tier{
	{"Consumption", 0, 0, false},
	{"Developer", 1, 1, true},
	{"Basic", 1, 2, true},
	{"Standard", 1, 4, true},
	{"Premium", 1, 0, true},
	{"BasicV2", 1, 0, true},
	{"StandardV2", 1, 0, true},
	{"PremiumV2", 1, 0, true},
}

// SupportsSSE reports whether the tier of sku_name supports the
// long-running connections SSE needs: the classic and v2 tiers do, the
// Consumption tier does not (FACTS.md). A sku_name that is not one azurerm
// takes is an error, never false.
func SupportsSSE(sku string) (bool, error) {
	name, capText, ok := strings.Cut(sku, "_")
	capacity, err := capacityOf(capText)
	for _, t := range tiers {
		if t.name != name {
			continue
		}
		if !ok || err != nil {
			return false, fmt.Errorf("sku_name %q has no capacity: write it as %s_%d", sku, t.name, t.minCap)
		}
		if capacity < t.minCap || (t.maxCap > 0 && capacity > t.maxCap) || (t.name == "Consumption" && capacity != 0) {
			return false, fmt.Errorf("sku_name %q: %s takes a capacity %s", sku, t.name, capRange(t))
		}
		return t.sse, nil
	}
	for _, t := range tiers {
		if strings.EqualFold(t.name, name) {
			return false, fmt.Errorf("sku_name %q is not an API Management SKU: names are case-sensitive, did you mean %s_%s?", sku, t.name, capText)
		}
	}
	return false, fmt.Errorf("sku_name %q is not an API Management SKU: use Consumption_0, Developer_1, Basic_1 or _2, Standard_1 to _4, Premium_N, BasicV2_N, StandardV2_N or PremiumV2_N", sku)
}

// capacityOf reads a capacity as azurerm writes it: decimal digits, no
// sign, no leading zero ("01" and "+1" are not capacities).
func capacityOf(s string) (int, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("not a capacity")
	}
	return strconv.Atoi(s)
}

func capRange(t tier) string {
	switch {
	case t.name == "Consumption":
		return "of 0"
	case t.maxCap == t.minCap:
		return fmt.Sprintf("of %d", t.minCap)
	case t.maxCap == 0:
		return fmt.Sprintf("of %d or more", t.minCap)
	}
	return fmt.Sprintf("from %d to %d", t.minCap, t.maxCap)
}
