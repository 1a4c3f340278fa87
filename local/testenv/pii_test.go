package testenv

import "testing"

func TestPIIDetector(t *testing.T) {
	hits := []string{
		`{"msg":"mail: send failed","err":"MessageRejected: failed the check: wang.wei@acme.cn"}`,
		`{"msg":"x","phone":"13812345678"}`,
		`{"msg":"x","err":"contact +86 13812345678."}`,
		`{"msg":"x","url":"/public/complaints/261122001?token=dI8EzlF_7d-dg4o5qJ4IFYn-u3HqcZbfGt2rgNV6HWk"}`,
		`{"msg":"x","nested":{"to":["a@b.cn"]}}`,
		`not json, but a@b.cn`,
	}
	for _, l := range hits {
		if len(PII(l)) == 0 {
			t.Errorf("missed personal data in %s", l)
		}
	}
	clean := []string{
		`{"time":"2026-11-23T17:44:22.787068009Z","level":"INFO","msg":"request","function":"customers","route":"GET /customers/{id}","status":200,"ms":3,"requestId":"local-13812345678abcde"}`,
		`{"msg":"mail: sent","mailId":"complaint-received-0a1b2c3d4e5f60718293a4b5","kind":"complaint-received"}`,
		`{"msg":"escalation: reminder queued","number":"261122001","key":"close-soon"}`,
		`{"msg":"x","err":"RequestID: 4a8b9c2d-1e3f-4a5b-8c7d-9e0f1a2b3c4d","at":"1763912345678"}`,
		`{"msg":"x","customer":"clfvqejp6qmhk6ucz","messageId":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}`,
	}
	for _, l := range clean {
		if got := PII(l); len(got) != 0 {
			t.Errorf("false alarm %v in %s", got, l)
		}
	}
}
