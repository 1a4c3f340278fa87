package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"keycare/shared/domain"
	"keycare/shared/store"
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // links keep their "&"
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}

// fail maps an error to its answer; unknown errors are 500 and logged.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *domain.ValidationError
	var fe *domain.ForbiddenError
	var de *decodeError
	var ise *domain.IllegalStepError
	switch {
	case errors.As(err, &ise):
		writeJSON(w, http.StatusConflict, ErrorBody{Error: ErrorDetail{Code: "illegal_step", State: string(ise.State),
			Message: fmt.Sprintf("%s is not possible while the complaint is %s (%s). 当前状态下不能执行此操作。", ise.Action, ise.State, ise.State.Label("zh"))}})
	case errors.Is(err, store.ErrIdempotencyMismatch):
		writeError(w, http.StatusUnprocessableEntity, "idempotency_key_reused", "This Idempotency-Key was used for different content. 该幂等键已用于其他内容。")
	case errors.As(err, &de):
		writeError(w, de.status, de.code, de.msg)
	case errors.As(err, &ve):
		writeJSON(w, http.StatusBadRequest, ErrorBody{Error: ErrorDetail{
			Code: "validation_failed", Message: "Some fields are invalid. 部分字段无效。", Fields: ve.Fields}})
	case errors.As(err, &fe):
		writeError(w, http.StatusForbidden, "forbidden", "You may not do this: "+fe.Reason+". 无权执行此操作。")
	case errors.Is(err, domain.ErrForbidden):
		writeError(w, http.StatusForbidden, "forbidden", "You may not do this. 无权执行此操作。")
	case errors.Is(err, domain.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "No such record. 记录不存在。")
	case errors.Is(err, domain.ErrConflict):
		writeError(w, http.StatusConflict, "version_conflict", "The record was changed by someone else; reload and try again. 记录已被他人修改，请刷新后重试。")
	case errors.Is(err, store.ErrBadCursor):
		writeError(w, http.StatusBadRequest, "bad_cursor", "The cursor is not valid for this listing. 分页游标无效。")
	default:
		slog.ErrorContext(r.Context(), "request failed", "requestId", requestID(r), "err", err.Error())
		writeError(w, http.StatusInternalServerError, "internal", "Something went wrong on our side; please retry later. 系统错误，请稍后重试。")
	}
}

type decodeError struct {
	status    int
	code, msg string
}

func (e *decodeError) Error() string { return e.code + ": " + e.msg }

// MaxJSONBody bounds staff request bodies.
const MaxJSONBody = 256 << 10

// decodeJSON reads one JSON object into v, refusing unknown fields, trailing
// data, oversized bodies and other content types.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &decodeError{http.StatusUnsupportedMediaType, "unsupported_media_type", "Send application/json. 请使用 application/json。"}
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &decodeError{http.StatusBadRequest, "bad_json", "The body must hold one JSON object. 请求体只能包含一个 JSON 对象。"}
	}
	return nil
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		return &decodeError{http.StatusRequestEntityTooLarge, "body_too_large", "The request body is too large. 请求体过大。"}
	case errors.As(err, &ute):
		return &decodeError{http.StatusBadRequest, "bad_json", "Field " + ute.Field + " has the wrong type. 字段类型错误: " + ute.Field}
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &decodeError{http.StatusBadRequest, "bad_json", "The body is not valid JSON. 请求体不是有效的 JSON。"}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return &decodeError{http.StatusBadRequest, "unknown_field", "Unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + ". 未知字段。"}
	default:
		return &decodeError{http.StatusBadRequest, "bad_json", "The body could not be read as JSON. 无法解析请求体。"}
	}
}

// badRequest builds a 400 with a code and message.
func badRequest(code, msg string) error {
	return &decodeError{http.StatusBadRequest, code, msg}
}
