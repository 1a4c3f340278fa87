package report

import "testing"

func TestThousandsAndYuan(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567": "-1,234,567", "12345": "12,345"} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%s) = %s, want %s", in, got, want)
		}
	}
	for n, want := range map[int64]string{0: "¥0", 1500: "¥1,500", -2500000: "-¥2,500,000"} {
		if got := yuan(n); got != want {
			t.Errorf("yuan(%d) = %s, want %s", n, got, want)
		}
	}
}
