package apimtier

import (
	"strings"
	"testing"
)

func TestSupportsSSE(t *testing.T) {
	tests := []struct {
		sku  string
		want bool
		err  string
	}{
		{"Consumption_0", false, ""},
		{"Developer_1", true, ""},
		{"Basic_1", true, ""},
		{"Basic_2", true, ""},
		{"Standard_1", true, ""},
		{"Standard_4", true, ""},
		{"Premium_1", true, ""},
		{"Premium_12", true, ""},
		{"BasicV2_1", true, ""},
		{"StandardV2_3", true, ""},
		{"PremiumV2_10", true, ""},
		{"Consumption_1", false, `sku_name "Consumption_1": Consumption takes a capacity of 0`},
		{"Developer_2", false, "Developer takes a capacity of 1"},
		{"Basic_3", false, "Basic takes a capacity from 1 to 2"},
		{"Standard_5", false, "Standard takes a capacity from 1 to 4"},
		{"Premium_0", false, "Premium takes a capacity of 1 or more"},
		{"Premium", false, `sku_name "Premium" has no capacity: write it as Premium_1`},
		{"Premium_x", false, "has no capacity"},
		{"standardv2_1", false, "names are case-sensitive, did you mean StandardV2_1?"},
		{"Premium_+1", false, "has no capacity"},
		{"Developer_01", false, "has no capacity"},
		{"Consumption_-0", false, "has no capacity"},
		{"Isolated_1", false, `sku_name "Isolated_1" is not an API Management SKU: use Consumption_0`},
		{"", false, "is not an API Management SKU"},
	}
	for _, tt := range tests {
		got, err := SupportsSSE(tt.sku)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%q: %v, %v; want %v", tt.sku, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.sku, err, tt.err)
		}
	}
}
