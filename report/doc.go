// Package report compares training runs from their run folders alone: tables, bootstrap
// confidence intervals, findings computed from the numbers, and plots, in Markdown or
// HTML, in English or Korean (the structure of the seed tuning report).
package report
