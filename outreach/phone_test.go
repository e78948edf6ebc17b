package outreach

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw     string
		want    string
		wantErr string // part of the error message; "" when valid
	}{
		{raw: "06 12 34 56 78", want: "+33612345678"},
		{raw: "06.12.34.56.78", want: "+33612345678"},
		{raw: "06-12-34-56-78", want: "+33612345678"},
		{raw: "0612345678", want: "+33612345678"},
		{raw: "  07 98 76 54 32 ", want: "+33798765432"},
		{raw: "01 42 68 53 00", want: "+33142685300"},
		{raw: "+33 6 12 34 56 78", want: "+33612345678"},
		{raw: "+33612345678", want: "+33612345678"},
		{raw: "+33 (0)6 12 34 56 78", want: "+33612345678"},
		{raw: "+33(0)612345678", want: "+33612345678"},
		{raw: "+33 06 12 34 56 78", want: "+33612345678"},
		{raw: "0033612345678", want: "+33612345678"},
		{raw: "0033 (0)6 12 34 56 78", want: "+33612345678"},
		{raw: "06\u00a012\u00a034\u00a056\u00a078", want: "+33612345678"},
		{raw: "+262 692 12 34 56", want: "+262692123456"}, // La Réunion
		{raw: "+32 470 12 34 56", want: "+32470123456"},
		{raw: "+1 (415) 555-2671", want: "+14155552671"},
		{raw: "0044 20 7946 0958", want: "+442079460958"},
		{raw: "+44 (0)20 7946 0958", want: "+442079460958"},
		{raw: "+49 1512 3456789", want: "+4915123456789"},
		{raw: "+12345678", want: "+12345678"},
		{raw: "+123456789012345", want: "+123456789012345"},

		{raw: "", wantErr: "empty"},
		{raw: "   ", wantErr: "empty"},
		{raw: "+", wantErr: "no digits"},
		{raw: "06 12 34 56 7", wantErr: "10 digits"},
		{raw: "06 12 34 56 789", wantErr: "10 digits"},
		{raw: "6 12 34 56 78", wantErr: "10 digits"},
		{raw: "612345678", wantErr: "10 digits"},
		{raw: "12345678", wantErr: "10 digits"},
		{raw: "06 12 AB 56 78", wantErr: "unexpected character 'A'"},
		{raw: "tel: 0612345678", wantErr: "unexpected character"},
		{raw: "06 12 34 56 78 ext 2", wantErr: "unexpected character"},
		{raw: "+33 6 12 34 56", wantErr: "9 digits after +33"},
		{raw: "+33 6 12 34 56 78 9", wantErr: "9 digits after +33"},
		{raw: "+33 0 12 34 56 78", wantErr: "cannot start with 0 after +33"},
		{raw: "+1234567", wantErr: "8 to 15 digits"},
		{raw: "+1234567890123456", wantErr: "8 to 15 digits"},
		{raw: "+0612345678", wantErr: "cannot start with 0"},
		{raw: "000612345678", wantErr: "cannot start with 0"},
		{raw: "+33+612345678", wantErr: `"+" is only allowed first`},
		{raw: "06 12 34 56 78+", wantErr: `"+" is only allowed first`},
		{raw: "０６１２３４５６７８", wantErr: "unexpected character"}, // full-width digits
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.raw)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, %v, want %q", tt.raw, got, err, tt.want)
			}
			if !isE164(got) {
				t.Errorf("NormalizePhone(%q) = %q, not E.164", tt.raw, got)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInvalidPhone) || !strings.Contains(err.Error(), tt.wantErr) || got != "" {
			t.Errorf("NormalizePhone(%q) = %q, %v, want an ErrInvalidPhone containing %q", tt.raw, got, err, tt.wantErr)
		}
	}
}

func TestPhoneIsFrenchMobile(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"+33612345678", true},
		{"+33798765432", true},
		{"+33142685300", false},
		{"+33912345678", false},
		{"+3361234567", false},
		{"+336123456789", false},
		{"+3361234567a", false},
		{"0612345678", false},
		{"+262692123456", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsFrenchMobile(tt.p); got != tt.want {
			t.Errorf("IsFrenchMobile(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct {
		p, want string
	}{
		{"+33612345678", "+336******78"},
		{"+33798765432", "+337******32"},
		{"06 12 34 56 78", "+336******78"},
		{"+14155552671", "+141******71"},
		{"+12345678", "+123***78"},
		{"+262692123456", "+262*******56"},
		{"", "***"},
		{"+336", "***"},
		{"123", "***"},
		{"not a phone", "***"},
		{"+33 6 12 AB", "***"},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.p); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.p, got, tt.want)
		}
	}
}
