package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// Cursors are sealed (AES-256-GCM under the stack's "cursor" key, bound to
// the index and partition being listed): a client can neither read the
// table's key schema in one nor make one up, and a cursor of another
// listing, or one that lacks a key attribute the index needs, is
// domain.ErrBadCursor (400), never a request DynamoDB refuses (500).

const maxCursor = 2048

func cursorAAD(index, pk string) []byte { return []byte(index + "\x00" + pk) }

func cursorCipher(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// sealCursor turns a LastEvaluatedKey into a cursor for the listing aad.
func sealCursor(key, aad []byte, lek map[string]types.AttributeValue) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	m := map[string]string{}
	for k, v := range lek {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			m[k] = s.Value
		}
	}
	plain, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	aead, err := cursorCipher(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, aad)), nil
}

// openCursor reads a cursor of the listing aad: it must be one the store
// sealed for that listing, and carry exactly the key attributes named.
func openCursor(key, aad []byte, c string, attrs ...string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	if len(c) > maxCursor {
		return nil, domain.ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, domain.ErrBadCursor
	}
	aead, err := cursorCipher(key)
	if err != nil {
		return nil, err
	}
	if len(b) < aead.NonceSize()+aead.Overhead() {
		return nil, domain.ErrBadCursor
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], aad)
	if err != nil {
		return nil, domain.ErrBadCursor
	}
	var m map[string]string
	if err := json.Unmarshal(plain, &m); err != nil || len(m) != len(attrs) {
		return nil, domain.ErrBadCursor
	}
	out := make(map[string]types.AttributeValue, len(attrs))
	for _, a := range attrs {
		v, ok := m[a]
		if !ok || v == "" {
			return nil, domain.ErrBadCursor
		}
		out[a] = str(v)
	}
	return out, nil
}

// cursorAttrs are the key attributes a LastEvaluatedKey of index holds.
func cursorAttrs(index string) []string {
	if index == "" {
		return []string{attrPK, attrSK}
	}
	return []string{attrPK, attrSK, index + "PK", index + "SK"}
}

func (t *table) openCursor(ctx context.Context, index, pk, c string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	k, err := t.key(ctx, "cursor")
	if err != nil {
		return nil, err
	}
	return openCursor(k, cursorAAD(index, pk), c, cursorAttrs(index)...)
}

func (t *table) sealCursor(ctx context.Context, index, pk string, lek map[string]types.AttributeValue) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	k, err := t.key(ctx, "cursor")
	if err != nil {
		return "", err
	}
	return sealCursor(k, cursorAAD(index, pk), lek)
}
