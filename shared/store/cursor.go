package store

import (
	"encoding/base64"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"keycare/shared/domain"
)

// cursorKeys are the only attribute names a cursor may carry.
var cursorKeys = map[string]bool{
	"PK": true, "SK": true, "GSI1PK": true, "GSI1SK": true, "GSI2PK": true, "GSI2SK": true,
	"GSI3PK": true, "GSI3SK": true, "GSI4PK": true, "GSI4SK": true,
}

func encodeCursor(lek map[string]types.AttributeValue) string {
	if len(lek) == 0 {
		return ""
	}
	m := map[string]string{}
	for k, v := range lek {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			m[k] = s.Value
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor and checks that it belongs to the partition
// being listed, so a cursor cannot be used to read another partition.
func decodeCursor(c, pkAttr, pkValue string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	if len(c) > 2048 {
		return nil, domain.ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, domain.ErrBadCursor
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 || len(m) > 4 {
		return nil, domain.ErrBadCursor
	}
	if m[pkAttr] != pkValue {
		return nil, domain.ErrBadCursor
	}
	out := map[string]types.AttributeValue{}
	for k, v := range m {
		if !cursorKeys[k] || v == "" {
			return nil, domain.ErrBadCursor
		}
		out[k] = str(v)
	}
	if _, ok := out[attrPK]; !ok {
		return nil, domain.ErrBadCursor
	}
	if _, ok := out[attrSK]; !ok {
		return nil, domain.ErrBadCursor
	}
	return out, nil
}
