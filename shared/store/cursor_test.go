package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func TestCursorRoundTrip(t *testing.T) {
	lek := map[string]types.AttributeValue{"PK": str("CUST#1"), "SK": str("PROFILE"), "GSI2PK": str("TIER#key"), "GSI2SK": str("CUST#1")}
	aad := cursorAAD("GSI2", "TIER#key")
	c, err := sealCursor(testKey, aad, lek)
	if err != nil {
		t.Fatal(err)
	}
	got, err := openCursor(testKey, aad, c, cursorAttrs("GSI2")...)
	if err != nil || len(got) != 4 {
		t.Fatalf("round trip: %v %v", got, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(c)
	if bytes.Contains(raw, []byte("CUST#")) || bytes.Contains(raw, []byte("GSI2")) {
		t.Fatalf("the cursor shows the keys: %q", raw)
	}
	if _, err := openCursor(testKey, cursorAAD("GSI2", "TIER#strategic"), c, cursorAttrs("GSI2")...); err != domain.ErrBadCursor {
		t.Fatalf("a cursor of another partition was accepted: %v", err)
	}
	if _, err := openCursor(bytes.Repeat([]byte{8}, 32), aad, c, cursorAttrs("GSI2")...); err != domain.ErrBadCursor {
		t.Fatalf("a cursor of another stack was accepted: %v", err)
	}
	// A cursor the store sealed itself without the index's sort key (as a
	// bug could) is refused too, not sent to DynamoDB.
	short, _ := sealCursor(testKey, aad, map[string]types.AttributeValue{"PK": str("CUST#1"), "SK": str("PROFILE"), "GSI2PK": str("TIER#key")})
	if _, err := openCursor(testKey, aad, short, cursorAttrs("GSI2")...); err != domain.ErrBadCursor {
		t.Fatalf("a cursor without the sort key was accepted: %v", err)
	}
	// The unsealed cursors of before are refused.
	j, _ := json.Marshal(map[string]string{"PK": "CUST#1", "SK": "PROFILE", "GSI2PK": "TIER#key", "GSI2SK": "CUST#1"})
	if _, err := openCursor(testKey, aad, base64.RawURLEncoding.EncodeToString(j), cursorAttrs("GSI2")...); err != domain.ErrBadCursor {
		t.Fatalf("an unsealed cursor was accepted: %v", err)
	}
	if _, err := openCursor(testKey, aad, strings.Repeat("A", maxCursor+1), cursorAttrs("GSI2")...); err != domain.ErrBadCursor {
		t.Fatalf("a huge cursor: %v", err)
	}
}

// FuzzDecodeCursor: no input makes openCursor panic or accept anything but
// a cursor sealed for the listing, with every key attribute of its index.
func FuzzDecodeCursor(f *testing.F) {
	aad := cursorAAD("GSI1", "MGR#x")
	good, _ := sealCursor(testKey, aad, map[string]types.AttributeValue{"PK": str("a"), "SK": str("b"), "GSI1PK": str("MGR#x"), "GSI1SK": str("c")})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add("e30")
	f.Add("!!!")
	f.Add(`eyJQSyI6IiJ9`)
	f.Add("")
	f.Fuzz(func(t *testing.T, c string) {
		got, err := openCursor(testKey, aad, c, cursorAttrs("GSI1")...)
		if err != nil {
			if err != domain.ErrBadCursor {
				t.Fatalf("error %v is not ErrBadCursor", err)
			}
			return
		}
		if c == "" {
			if got != nil {
				t.Fatalf("empty cursor gave %v", got)
			}
			return
		}
		// Only a cursor the store sealed opens: here, the seed's (sealed
		// with a random nonce, in each fuzzing process anew), whatever its
		// bytes, holding exactly what was sealed.
		want := map[string]string{"PK": "a", "SK": "b", "GSI1PK": "MGR#x", "GSI1SK": "c"}
		if len(got) != len(want) {
			t.Fatalf("accepted a cursor the store did not seal: %q gives %v", c, got)
		}
		for a, w := range want {
			if v, ok := got[a].(*types.AttributeValueMemberS); !ok || v.Value != w {
				t.Fatalf("accepted a cursor the store did not seal: %q gives %v", c, got)
			}
		}
	})
}
