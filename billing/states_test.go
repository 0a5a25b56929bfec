package billing

import (
	"sort"
	"testing"
)

func TestStateByCode(t *testing.T) {
	tests := []struct {
		code   string
		name   string
		ut, ok bool
	}{
		{"01", "Jammu and Kashmir", false, true},
		{"07", "Delhi", false, true},
		{"27", "Maharashtra", false, true},
		{" 27 ", "Maharashtra", false, true},
		{"04", "Chandigarh", true, true},
		{"26", "Dadra and Nagar Haveli and Daman and Diu", true, true},
		{"34", "Puducherry", false, true},
		{"37", "Andhra Pradesh", false, true},
		{"38", "Ladakh", true, true},
		{"97", "Other Territory", true, true},
		{"25", "", false, false}, // Daman and Diu, merged into 26
		{"28", "", false, false}, // undivided Andhra Pradesh, never a GST code
		{"00", "", false, false},
		{"39", "", false, false},
		{"96", "", false, false}, // "other country" in e-invoices, not a state
		{"7", "", false, false},
		{"", "", false, false},
	}
	for _, tt := range tests {
		s, ok := StateByCode(tt.code)
		if ok != tt.ok || s.Name != tt.name || s.UT != tt.ut {
			t.Errorf("StateByCode(%q) = %+v, %v; want name %q, UT %v, ok %v", tt.code, s, ok, tt.name, tt.ut, tt.ok)
		}
	}
}

func TestStateByName(t *testing.T) {
	tests := []struct {
		name, code string
		ok         bool
	}{
		{"Maharashtra", "27", true},
		{"maharashtra", "27", true},
		{"  TAMIL   nadu ", "33", true},
		{"Jammu & Kashmir", "01", true},
		{"Andaman & Nicobar Islands", "35", true},
		{"Dadra and Nagar Haveli and Daman and Diu", "26", true},
		{"Daman and Diu", "26", true},
		{"Orissa", "21", true},
		{"Pondicherry", "34", true},
		{"Uttaranchal", "05", true},
		{"NCT of Delhi", "07", true},
		{"Andhra Pradesh (New)", "37", true},
		{"Andhra Pradesh", "37", true},
		{"Other Territory", "97", true},
		{"", "", false},
		{"   ", "", false},
		{"Atlantis", "", false},
		{"Maharashtra Pradesh", "", false},
	}
	for _, tt := range tests {
		s, ok := StateByName(tt.name)
		if ok != tt.ok || s.Code != tt.code {
			t.Errorf("StateByName(%q) = %+v, %v; want code %q, ok %v", tt.name, s, ok, tt.code, tt.ok)
		}
	}
}

func TestStatesUnionTerritoriesWithoutLegislature(t *testing.T) {
	want := map[string]bool{"04": true, "26": true, "31": true, "35": true, "38": true, "97": true}
	for _, s := range States() {
		if s.UT != want[s.Code] {
			t.Errorf("%s %s: UT = %v, want %v", s.Code, s.Name, s.UT, want[s.Code])
		}
	}
}

func TestStatesSortedUniqueAndOwnedByCaller(t *testing.T) {
	list := States()
	if len(list) != 37 {
		t.Fatalf("States() has %d entries, want 37", len(list))
	}
	if !sort.SliceIsSorted(list, func(i, j int) bool { return list[i].Name < list[j].Name }) {
		t.Errorf("States() is not sorted by name: %v", list)
	}
	codes, names := map[string]bool{}, map[string]bool{}
	for _, s := range list {
		if len(s.Code) != 2 || !allDigits(s.Code) || codes[s.Code] || names[s.Name] {
			t.Errorf("bad or duplicate state %+v", s)
		}
		codes[s.Code], names[s.Name] = true, true
		if got, ok := StateByName(s.Name); !ok || got != s {
			t.Errorf("StateByName(%q) = %+v, %v; want %+v", s.Name, got, ok, s)
		}
	}
	list[0].Name = "changed"
	if States()[0].Name == "changed" {
		t.Error("changing the slice States returned changed the table")
	}
}
