package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/lakegate/lakegate/auth"
)

// passwd is "lakegate passwd": it reads a password from the terminal
// (without echo, twice) or from stdin (its first line) and prints the
// verifier to put in the config file's users section.
func passwd(args []string, stdin *os.File, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lakegate passwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	method := fs.String("method", "scram-sha-256", "verifier to print: scram-sha-256 or md5")
	user := fs.String("user", "", "user name (md5 hashes include it)")
	iterations := fs.Int("iterations", auth.ScramIterations, "SCRAM iteration count")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lakegate passwd [flags]\n\nReads a password from the terminal (not echoed) or from stdin and prints its verifier\nfor the config file's users section, e.g.\n\n    users:\n      alice:\n        password: \"SCRAM-SHA-256$4096:...\"\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see lakegate passwd -help)", fs.Arg(0))
	}
	if *method == "md5" && *user == "" {
		return errors.New("an md5 hash needs the user name: lakegate passwd -method md5 -user NAME")
	}
	if *iterations < 1 {
		return errors.New("-iterations must be positive")
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	switch *method {
	case "scram-sha-256":
		s, err := auth.NewScramSecret(password, *iterations)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, s)
	case "md5":
		fmt.Fprintln(stdout, auth.NewMD5Secret(*user, password))
	default:
		return fmt.Errorf("unknown method %q: scram-sha-256 or md5", *method)
	}
	return nil
}

// readPassword reads the password twice without echo from a terminal, or
// the first line of anything else.
func readPassword(in *os.File, prompt io.Writer) (string, error) {
	fd := int(in.Fd())
	if term.IsTerminal(fd) {
		fmt.Fprint(prompt, "Password: ")
		first, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		fmt.Fprint(prompt, "Again: ")
		second, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the passwords differ")
		}
		if len(first) == 0 {
			return "", errors.New("empty password")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on stdin")
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty password")
	}
	return line, nil
}
