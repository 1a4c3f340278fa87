package store

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

func TestCursorRoundTrip(t *testing.T) {
	lek := map[string]types.AttributeValue{"PK": str("CUST#1"), "SK": str("PROFILE"), "GSI2PK": str("TIER#key"), "GSI2SK": str("CUST#1")}
	c := encodeCursor(lek)
	got, err := decodeCursor(c, "GSI2PK", "TIER#key")
	if err != nil || len(got) != 4 {
		t.Fatalf("round trip: %v %v", got, err)
	}
	if _, err := decodeCursor(c, "GSI2PK", "TIER#strategic"); err != domain.ErrBadCursor {
		t.Fatalf("a cursor of another partition was accepted: %v", err)
	}
}

// FuzzDecodeCursor: no input makes decodeCursor panic or accept a cursor
// outside the partition being listed.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(map[string]types.AttributeValue{"PK": str("a"), "SK": str("b"), "GSI1PK": str("MGR#x"), "GSI1SK": str("c")}))
	f.Add("e30")
	f.Add("!!!")
	f.Add(`eyJQSyI6IiJ9`)
	f.Fuzz(func(t *testing.T, c string) {
		got, err := decodeCursor(c, "GSI1PK", "MGR#x")
		if err != nil {
			return
		}
		if c == "" {
			return
		}
		v, ok := got["GSI1PK"].(*types.AttributeValueMemberS)
		if !ok || v.Value != "MGR#x" {
			t.Fatalf("accepted cursor outside the partition: %v", got)
		}
	})
}
