// Command public-surveys is PublicSurveysFunction: the survey page and its submission,
// which queues the answer (no login).
package main

import "keycare/shared/platform"

func main() { platform.Start("PublicSurveysFunction") }
