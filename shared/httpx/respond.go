// Package httpx is what every HTTP surface of keycare shares — the staff
// JSON API, the public site and the console: the error shape and how each
// domain error maps to a status, one strict JSON decoder, the caller as API
// Gateway's JWT authorizer saw them, request ids and the request log line.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"keycare/shared/domain"
)

// ErrorBody is the JSON shape of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a machine-readable code, a human message and, for
// validation errors, the problem of each field.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	State   string            `json:"state,omitempty"`
}

// WriteJSON answers v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // links keep their "&"
	_ = enc.Encode(v)
}

// WriteError answers the error shape with status, code and message.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	WriteJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}

// Error is an answer with a status of its own (decoding, preconditions).
type Error struct {
	Status    int
	Code, Msg string
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

// BadRequest builds a 400 with a code and message.
func BadRequest(code, msg string) error { return &Error{http.StatusBadRequest, code, msg} }

// Status is the status and error detail err maps to; unknown errors are 500.
func Status(err error) (int, ErrorDetail) {
	var ve *domain.ValidationError
	var fe *domain.ForbiddenError
	var he *Error
	var ie *domain.InputError
	var ise *domain.IllegalStepError
	var ste *domain.StateError
	switch {
	case errors.As(err, &ste):
		return http.StatusConflict, ErrorDetail{Code: "illegal_step", State: ste.State,
			Message: fmt.Sprintf("%s is not possible while the %s is %s. 当前状态下不能执行此操作。", ste.Action, ste.Entity, ste.State)}
	case errors.As(err, &ise):
		return http.StatusConflict, ErrorDetail{Code: "illegal_step", State: string(ise.State),
			Message: fmt.Sprintf("%s is not possible while the complaint is %s (%s). 当前状态下不能执行此操作。", ise.Action, ise.State, ise.State.Label("zh"))}
	case errors.Is(err, domain.ErrIdempotencyMismatch):
		return http.StatusUnprocessableEntity, ErrorDetail{Code: "idempotency_key_reused", Message: "This Idempotency-Key was used for different content. 该幂等键已用于其他内容。"}
	case errors.Is(err, domain.ErrRecentlySurveyed):
		return http.StatusConflict, ErrorDetail{Code: "recently_surveyed", Message: "This contact had a survey recently (at most one a month). 该联系人近期已接受过调查。"}
	case errors.Is(err, domain.ErrComplaintSurveyed):
		return http.StatusConflict, ErrorDetail{Code: "complaint_surveyed", Message: "This complaint already had its satisfaction survey. 该投诉已发送过满意度调查。"}
	case errors.As(err, &he):
		return he.Status, ErrorDetail{Code: he.Code, Message: he.Msg}
	case errors.As(err, &ie):
		return http.StatusBadRequest, ErrorDetail{Code: ie.Code, Message: ie.Message}
	case errors.As(err, &ve):
		return http.StatusBadRequest, ErrorDetail{Code: "validation_failed", Message: "Some fields are invalid. 部分字段无效。", Fields: ve.Fields}
	case errors.As(err, &fe):
		return http.StatusForbidden, ErrorDetail{Code: "forbidden", Message: "You may not do this: " + fe.Reason + ". 无权执行此操作。"}
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden, ErrorDetail{Code: "forbidden", Message: "You may not do this. 无权执行此操作。"}
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, ErrorDetail{Code: "not_found", Message: "No such record. 记录不存在。"}
	case errors.Is(err, domain.ErrConflict):
		return http.StatusConflict, ErrorDetail{Code: "version_conflict", Message: "The record was changed by someone else; reload and try again. 记录已被他人修改，请刷新后重试。"}
	case errors.Is(err, domain.ErrBadCursor):
		return http.StatusBadRequest, ErrorDetail{Code: "bad_cursor", Message: "The cursor is not valid for this listing. 分页游标无效。"}
	}
	return http.StatusInternalServerError, ErrorDetail{Code: "internal", Message: "Something went wrong on our side; please retry later. 系统错误，请稍后重试。"}
}

// Fail answers err in the error shape; an unknown error is a 500, logged
// with the request id (never the request's content).
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	status, d := Status(err)
	if status == http.StatusInternalServerError {
		slog.ErrorContext(r.Context(), "request failed", "requestId", RequestID(r), "err", err.Error())
	}
	WriteJSON(w, status, ErrorBody{Error: d})
}

// MaxJSONBody bounds staff request bodies.
const MaxJSONBody = 256 << 10

// DecodeJSON reads one JSON object into v, refusing unknown fields,
// trailing data, bodies over limit and content types other than JSON.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &Error{http.StatusUnsupportedMediaType, "unsupported_media_type", "Send application/json. 请使用 application/json。"}
		}
	}
	return DecodeJSONBody(http.MaxBytesReader(w, r.Body, limit), v)
}

// DecodeJSONBody reads exactly one JSON object from body into v, refusing
// unknown fields and trailing data. Callers bound body.
func DecodeJSONBody(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return JSONError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return BadRequest("bad_json", "The body must hold one JSON object. 请求体只能包含一个 JSON 对象。")
	}
	return nil
}

// JSONError turns a decoding error into its answer.
func JSONError(err error) error {
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		return &Error{http.StatusRequestEntityTooLarge, "body_too_large", "The request body is too large. 请求体过大。"}
	case errors.As(err, &ute):
		return BadRequest("bad_json", "Field "+ute.Field+" has the wrong type. 字段类型错误: "+ute.Field)
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return BadRequest("bad_json", "The body is not valid JSON. 请求体不是有效的 JSON。")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return BadRequest("unknown_field", "Unknown field "+strings.TrimPrefix(err.Error(), "json: unknown field ")+". 未知字段。")
	}
	return BadRequest("bad_json", "The body could not be read as JSON. 无法解析请求体。")
}

// IdempotencyKey reads the Idempotency-Key header ("" when absent): 1–128
// letters, digits or -_.@ characters, else a 400.
func IdempotencyKey(r *http.Request) (string, error) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key != "" && !domain.ValidID(key) {
		return "", BadRequest("bad_idempotency_key", "Idempotency-Key must be 1–128 letters, digits or -_. characters. 幂等键格式无效。")
	}
	return key, nil
}

// SetETag sets the ETag of a record at version.
func SetETag(w http.ResponseWriter, version int) {
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(version)))
}

// IfMatch reads the If-Match header's version: 428 when it is missing,
// 400 when it is not a version.
func IfMatch(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" {
		return 0, &Error{http.StatusPreconditionRequired, "if_match_required",
			"Send If-Match with the version you edited (the ETag of GET). 请在 If-Match 中提供所编辑的版本号。"}
	}
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, BadRequest("bad_if_match", "If-Match must hold a version number such as \"3\". If-Match 须为版本号。")
	}
	return n, nil
}

// BaseURL is the configured public base URL, else the request's own.
func BaseURL(r *http.Request, configured string) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	host := r.Host
	scheme := "https"
	if strings.HasPrefix(host, "127.0.0.1") || strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "[::1]") {
		scheme = "http"
	}
	return scheme + "://" + host
}
