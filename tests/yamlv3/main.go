// Reads YAML on stdin with gopkg.in/yaml.v3 (as Kairos's yip does), decodes the first document
// into interface{} and prints it as JSON, so tests can compare what the device sees with what
// palette-tailscale believes. JSON has no NaN or infinity, so every float is printed as
// {"!float": "<Go's %v of it>"}; integers stay exact JSON numbers.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"gopkg.in/yaml.v3"
)

func plain(v interface{}) interface{} {
	switch x := v.(type) {
	case float64:
		return map[string]string{"!float": strconv.FormatFloat(x, 'g', -1, 64)}
	case map[string]interface{}:
		for k, item := range x {
			x[k] = plain(item)
		}
	case []interface{}:
		for i, item := range x {
			x[i] = plain(item)
		}
	}
	return v
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var value interface{}
	if err := yaml.Unmarshal(data, &value); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := json.Marshal(plain(value))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
