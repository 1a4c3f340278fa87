package console

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"keycare/shared/domain"
)

type staffData struct {
	People []domain.StaffMember
	M      *domain.StaffMember
	New    bool
	Roles  []domain.Role
}

// staffList is the staff directory (anyone may read it; admins change it).
func (c *Console) staffList(w http.ResponseWriter, r *http.Request, s *session) {
	all, err := c.Staff.List(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	v := c.view(r, s, "admin", nil)
	v.Title = v.T("nav.staff")
	v.D = &staffData{People: all}
	c.render(w, r, http.StatusOK, "staff", v)
}

// staffMember is one person's entry, as a form for admins ("new": a new one).
func (c *Console) staffMember(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	v := c.view(r, s, "admin", nil)
	d := &staffData{Roles: domain.AllRoles}
	if id == "new" && domain.CanManageStaff(s.P) {
		d.New, d.M = true, &domain.StaffMember{Active: true, Language: "zh"}
	} else {
		m, err := c.Staff.Get(r.Context(), id)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		d.M = m
	}
	c.renderStaff(w, r, s, v, d, http.StatusOK)
}

func (c *Console) renderStaff(w http.ResponseWriter, r *http.Request, s *session, v *view, d *staffData, status int) {
	v.Title = v.T("nav.staff")
	if d.M.ID != "" {
		v.Title = d.M.Name + " (" + d.M.ID + ")"
	}
	if len(v.Values) == 0 {
		m := d.M
		v.Values = url.Values{"id": {m.ID}, "name": {m.Name}, "email": {m.Email}, "department": {m.Department}, "language": {m.Language},
			"version": {strconv.Itoa(m.Version)}}
		for _, ro := range m.Roles {
			v.Values.Add("role", string(ro))
		}
		if m.Active {
			v.Values.Set("active", "true")
		}
	}
	v.D = d
	c.render(w, r, status, "person", v)
}

// saveStaff creates or changes an entry (staff.Service.Put: admins only,
// the version edited must still be the stored one).
func (c *Console) saveStaff(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	id := r.PathValue("id")
	isNew := id == ""
	if isNew {
		id = strings.TrimSpace(f.Get("id"))
	}
	m := domain.StaffMember{ID: id, Name: f.Get("name"), Email: f.Get("email"), Department: strings.TrimSpace(f.Get("department")),
		Language: f.Get("language"), Active: f.Get("active") == "true"}
	for _, x := range f["role"] {
		m.Roles = append(m.Roles, domain.Role(x))
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if isNew {
		version = 0
	}
	saved, _, err := c.Staff.Put(r.Context(), s.P, m, version)
	var ve *domain.ValidationError
	switch {
	case err == nil:
		c.redirect(w, r, "/console/admin/staff/"+url.PathEscape(saved.ID)+"?done=saved")
	case errors.As(err, &ve) || errors.Is(err, domain.ErrConflict):
		v := c.view(r, s, "admin", nil)
		v.Values = f
		if ve != nil {
			v.Errors = fieldErrors(ve, s.Lang, nil)
		} else {
			v.Alert = v.T("alert.conflict")
		}
		c.renderStaff(w, r, s, v, &staffData{M: &m, New: isNew, Roles: domain.AllRoles}, http.StatusBadRequest)
	default:
		c.fail(w, r, s, err)
	}
}

// settingField is one input of the settings form: its path in the settings'
// JSON (also the field a validation error names), kind and stored value;
// and, for the page, what it shows — its label, the value (as typed after
// a failed post), the message beside it and the hint of a multi-line
// field.
type settingField struct {
	Path, Kind, Value string

	Label, Shown, Error, Hint string
	Box                       bool // a textarea: lines, numbers or JSON steps
}

type settingsData struct {
	Groups   []settingGroup
	Rows     []deptRow
	Version  int
	CanEdit  bool
	ReadOnly bool
}

type settingGroup struct {
	Key, Legend string
	Fields      []settingField
	Inputs      template.HTML // the fields' markup (settingInputs)
}

// deptRow is one department's row (three more empty ones to add).
type deptRow struct {
	N                  int
	ID, ZH, EN         string
	IDError, NameError string
}

// settingsPage shows the settings in force; admins change them in place.
func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request, s *session) {
	set, err := c.Settings.Get(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.renderSettings(w, r, s, set, nil, nil, http.StatusOK)
}

func (c *Console) renderSettings(w http.ResponseWriter, r *http.Request, s *session, set domain.Settings, values url.Values, errs map[string]string, status int) {
	v := c.view(r, s, "admin", nil)
	v.Title = v.T("nav.settings")
	d := &settingsData{Version: set.Version, CanEdit: domain.CanChangeSettings(s.P)}
	d.ReadOnly = !d.CanEdit
	if errs != nil {
		v.Errors = errs
	}
	flat := map[string]settingField{}
	var tree map[string]any
	b, _ := json.Marshal(set)
	_ = json.Unmarshal(b, &tree)
	walk("", tree, flat)
	if values == nil {
		values = url.Values{}
		for p, f := range flat {
			values.Set(p, f.Value)
		}
		for i, dp := range set.Departments {
			n := strconv.Itoa(i)
			values.Set("departments["+n+"].id", dp.ID)
			values.Set("departments["+n+"].name.zh", dp.Name.ZH)
			values.Set("departments["+n+"].name.en", dp.Name.EN)
		}
	}
	v.Values = values
	hints := map[string]string{"lines": v.T("settings.linesHint"), "ints": v.T("settings.intsHint"), "objects": v.T("settings.objectsHint")}
	groups := map[string]*settingGroup{}
	var order []string
	paths := make([]string, 0, len(flat))
	for p := range flat {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		g, _, _ := strings.Cut(p, ".")
		if groups[g] == nil {
			groups[g] = &settingGroup{Key: g, Legend: v.Label("setgroup", g)}
			order = append(order, g)
		}
		f := flat[p]
		f.Label, f.Shown, f.Error, f.Hint = v.SetLabel(p), values.Get(p), v.Errors[p], hints[f.Kind]
		f.Box = f.Hint != ""
		groups[g].Fields = append(groups[g].Fields, f)
	}
	for _, g := range order {
		groups[g].Inputs = settingInputs(groups[g].Fields, d.ReadOnly)
		d.Groups = append(d.Groups, *groups[g])
	}
	for i := 0; i < len(set.Departments)+3; i++ {
		n := "departments[" + strconv.Itoa(i) + "]"
		d.Rows = append(d.Rows, deptRow{N: i, ID: values.Get(n + ".id"), ZH: values.Get(n + ".name.zh"), EN: values.Get(n + ".name.en"),
			IDError: v.Errors[n+".id"], NameError: v.Errors[n+".name"]})
	}
	v.D = d
	c.render(w, r, status, "settings", v)
}

// settingInputs writes the inputs of a group of settings: a label, the
// input (a textarea for lines, numbers and steps; read-only unless the
// person may change settings) and the message beside it. It is written in
// Go rather than in settings.html because the page has about eighty
// inputs: html/template calls its escapers and the view's helpers through
// reflection for every value, and on this page that cost as much as the
// page's three DynamoDB reads (bench: 1.9× them; see README). Every value
// is escaped here as the template would escape it.
func settingInputs(fields []settingField, readOnly bool) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	ro := ""
	if readOnly {
		ro = " readonly"
	}
	for _, f := range fields {
		p := esc(f.Path)
		invalid, aria := "", ""
		if f.Error != "" {
			invalid, aria = " invalid", ` aria-invalid="true" aria-describedby="s-`+p+`-e"`
		}
		b.WriteString(`<div class="field` + invalid + `"><label for="s-` + p + `">` + esc(f.Label) + "</label>\n")
		if f.Box {
			b.WriteString(`<textarea id="s-` + p + `" name="` + p + `" rows="2"` + ro + aria + ">" + esc(f.Shown) + `</textarea><p class="hint">` + esc(f.Hint) + "</p>\n")
		} else {
			mode := ""
			if f.Kind == "number" {
				mode = ` inputmode="decimal"`
			}
			b.WriteString(`<input type="text"` + mode + ` id="s-` + p + `" name="` + p + `" value="` + esc(f.Shown) + `"` + ro + aria + ">\n")
		}
		if f.Error != "" {
			b.WriteString(`<p class="error" id="s-` + p + `-e">` + esc(f.Error) + "</p>")
		}
		b.WriteString("</div>")
	}
	return template.HTML(b.String())
}

// walk flattens the settings' JSON into form fields, leaving out what is
// not an admin's to type (version, who changed it, the time zone) and the
// departments, which have their own rows.
func walk(prefix string, n any, out map[string]settingField) {
	switch x := n.(type) {
	case map[string]any:
		for k, v := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			if contains([]string{"version", "updatedBy", "updatedAt", "timeZone", "departments"}, p) {
				continue
			}
			walk(p, v, out)
		}
	case []any:
		kind, vals := "lines", make([]string, 0, len(x))
		for _, e := range x {
			switch e := e.(type) {
			case float64:
				kind = "ints"
				vals = append(vals, strconv.FormatFloat(e, 'f', -1, 64))
			case map[string]any: // e.g. the staff ladder's steps: one JSON object a line
				kind = "objects"
				b, _ := json.Marshal(e)
				vals = append(vals, string(b))
			default:
				vals = append(vals, toString(e))
			}
		}
		sep := "\n"
		if kind == "ints" {
			sep = ", "
		}
		out[prefix] = settingField{Path: prefix, Kind: kind, Value: strings.Join(vals, sep)}
	case float64:
		out[prefix] = settingField{Path: prefix, Kind: "number", Value: strconv.FormatFloat(x, 'f', -1, 64)}
	case bool:
		out[prefix] = settingField{Path: prefix, Kind: "bool", Value: strconv.FormatBool(x)}
	default:
		out[prefix] = settingField{Path: prefix, Kind: "text", Value: toString(x)}
	}
}

func toString(x any) string {
	if x == nil {
		return ""
	}
	if s, ok := x.(string); ok {
		return s
	}
	b, _ := json.Marshal(x)
	return string(b)
}

// saveSettings writes the form back into the settings' JSON, field by
// field by kind, and stores it (settings.Service.Update: admins only, the
// version edited, validation with the message beside each field).
func (c *Console) saveSettings(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	cur, err := c.Settings.Get(ctx)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	f := r.PostForm
	var tree map[string]any
	b, _ := json.Marshal(cur)
	_ = json.Unmarshal(b, &tree)
	flat := map[string]settingField{}
	walk("", tree, flat)
	errs := map[string]string{}
	v := c.view(r, s, "admin", nil)
	for p, fd := range flat {
		if _, ok := f[p]; !ok {
			continue // a field the form did not carry keeps its value
		}
		raw := strings.TrimSpace(f.Get(p))
		var val any
		switch fd.Kind {
		case "number":
			n, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				errs[p] = v.T("settings.number")
				continue
			}
			val = n
		case "ints":
			ns := []any{}
			for _, part := range lines(raw) {
				n, err := strconv.Atoi(part)
				if err != nil {
					errs[p] = v.T("settings.ints")
					break
				}
				ns = append(ns, n)
			}
			val = ns
		case "lines":
			ls := []any{}
			for _, l := range lines(raw) {
				ls = append(ls, l)
			}
			val = ls
		case "objects":
			os := []any{}
			for _, l := range strings.Split(raw, "\n") { // commas belong to the JSON
				if l = strings.TrimSpace(l); l == "" {
					continue
				}
				var o map[string]any
				if err := json.Unmarshal([]byte(l), &o); err != nil {
					errs[p] = v.T("settings.objects")
					break
				}
				os = append(os, o)
			}
			val = os
		case "bool":
			val = raw == "true"
		default:
			val = raw
		}
		set(tree, strings.Split(p, "."), val)
	}
	var depts []any
	_, withDepts := f["departments[0].id"]
	for i := 0; withDepts && i < 300; i++ {
		n := "departments[" + strconv.Itoa(i) + "]"
		if _, ok := f[n+".id"]; !ok {
			break
		}
		id, zh, en := strings.TrimSpace(f.Get(n+".id")), strings.TrimSpace(f.Get(n+".name.zh")), strings.TrimSpace(f.Get(n+".name.en"))
		if id == "" && zh == "" && en == "" {
			continue
		}
		depts = append(depts, map[string]any{"id": id, "name": map[string]any{"zh": zh, "en": en}})
	}
	if withDepts {
		tree["departments"] = depts
	}
	var next domain.Settings
	b, _ = json.Marshal(tree)
	if err := json.Unmarshal(b, &next); err != nil {
		errs["form"] = v.T("problem.badForm")
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if len(errs) == 0 {
		_, err = c.Settings.Update(ctx, s.P, next, version)
		var ve *domain.ValidationError
		switch {
		case err == nil:
			c.redirect(w, r, "/console/admin/settings?done=saved")
			return
		case errors.As(err, &ve):
			errs = fieldErrors(ve, s.Lang, nil)
		case errors.Is(err, domain.ErrConflict):
			errs["version"] = v.T("alert.conflict")
		default:
			c.fail(w, r, s, err)
			return
		}
	}
	c.renderSettings(w, r, s, cur, f, errs, http.StatusBadRequest)
}

func set(tree map[string]any, path []string, val any) {
	for i, k := range path {
		if i == len(path)-1 {
			tree[k] = val
			return
		}
		next, ok := tree[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			tree[k] = next
		}
		tree = next
	}
}

// SetLabel is a setting's name in words (its path when none is written).
func (v *view) SetLabel(path string) string {
	if _, ok := words()["set."+path]; ok {
		return v.T("set." + path)
	}
	return path
}

// KnownDept reports whether the settings name department id.
func (v *view) KnownDept(id string) bool {
	for _, d := range v.set.Departments {
		if d.ID == id {
			return true
		}
	}
	return false
}
