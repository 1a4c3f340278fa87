// Command console is ConsoleFunction: the staff console's pages.
package main

import "keycare/shared/platform"

func main() { platform.Start("ConsoleFunction") }
