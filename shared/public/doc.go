// Package public is the public site: the complaint form, its submission
// and the tracking page (PublicComplaintsFunction), and the survey page and
// its submission (PublicSurveysFunction). No login: every page is
// validated, size-limited, bilingual (zh by default, ?lang=en), works
// without JavaScript and only ever reveals what its tracking or survey
// token entitles. Pages are html/template files embedded from web/.
package public
