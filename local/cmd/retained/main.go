// Command retained writes what brings the table and the user pool that
// `sam delete` leaves behind back under a stack (make import-template):
// .aws-sam/import.yaml, a template of them alone, and
// .aws-sam/import-resources.json, for
// `aws cloudformation create-change-set --change-set-type IMPORT`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"keycare/local/deploy"
)

func main() {
	tpl := flag.String("template", "template.yaml", "the SAM template")
	table := flag.String("table", "", "name of the retained table (the stack's TableName output)")
	pool := flag.String("user-pool", "", "id of the retained user pool (the stack's UserPoolId output)")
	out := flag.String("out", ".aws-sam", "folder to write import.yaml and import-resources.json to")
	flag.Parse()
	t, res, err := deploy.Retained(*tpl, map[string]string{"Table": *table, "UserPool": *pool})
	if err == nil {
		err = os.MkdirAll(*out, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(*out, "import.yaml"), t, 0o644)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(*out, "import-resources.json"), res, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "retained:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s and %s\n", filepath.Join(*out, "import.yaml"), filepath.Join(*out, "import-resources.json"))
}
