package billing

import "testing"

func TestRupeesInWords(t *testing.T) {
	tests := []struct {
		paise int64
		want  string
	}{
		{0, "Rupees Zero Only"},
		{1, "Rupees Zero and One Paisa Only"},
		{50, "Rupees Zero and Fifty Paise Only"},
		{100, "Rupees One Only"},
		{1_900, "Rupees Nineteen Only"},
		{2_000, "Rupees Twenty Only"},
		{2_105, "Rupees Twenty-One and Five Paise Only"},
		{1_18_000, "Rupees One Thousand One Hundred Eighty Only"},
		{1_01_100, "Rupees One Thousand Eleven Only"},
		{99_900, "Rupees Nine Hundred Ninety-Nine Only"},
		{1_00_005_00, "Rupees One Lakh Five Only"},
		{10_00_000_00, "Rupees Ten Lakh Only"},
		{12_34_567_89, "Rupees Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven and Eighty-Nine Paise Only"},
		{9_99_999_99, "Rupees Nine Lakh Ninety-Nine Thousand Nine Hundred Ninety-Nine and Ninety-Nine Paise Only"},
		{1_00_00_000_00, "Rupees One Crore Only"},
		{1_00_00_001_00, "Rupees One Crore One Only"},
		{99_99_99_999_00, "Rupees Ninety-Nine Crore Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred Ninety-Nine Only"},
		{100_00_00_000_00, "Rupees One Hundred Crore Only"},
		{123_45_67_890_00, "Rupees One Hundred Twenty-Three Crore Forty-Five Lakh Sixty-Seven Thousand Eight Hundred Ninety Only"},
		{1_00_000_00_00_000_00, "Rupees One Lakh Crore Only"},
		{-1_18_000, "Minus Rupees One Thousand One Hundred Eighty Only"},
		{-1, "Minus Rupees Zero and One Paisa Only"},
		{-1 << 63, "Minus Rupees Nine Hundred Twenty-Two Crore Thirty-Three Lakh Seventy-Two Thousand Thirty-Six Crore Eighty-Five Lakh Forty-Seven Thousand Seven Hundred Fifty-Eight and Eight Paise Only"},
	}
	for _, tt := range tests {
		if got := RupeesInWords(tt.paise); got != tt.want {
			t.Errorf("RupeesInWords(%d) =\n %q\nwant\n %q", tt.paise, got, tt.want)
		}
	}
}
