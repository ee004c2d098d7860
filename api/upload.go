package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"hotline/complaint"
)

// The terminal's side of tus 1.0 (https://tus.io/protocols/resumable-upload):
// create an upload, ask where it stands, send bytes from an offset. Written
// here rather than taken from a library: no Go tus client is maintained, and
// these three requests are all the protocol the terminal needs.

const tusVersion = "1.0.0"

// ErrUploadGone is an upload the platform no longer has: finished and kept
// (look the file up by its hash), or dropped.
var ErrUploadGone = errors.New("upload not found on the platform")

// UploadMeta is what an upload announces.
type UploadMeta struct {
	Name   string // the file's name, kept exactly
	SHA256 string
	Ticket string
}

func (m UploadMeta) header() string {
	pair := func(k, v string) string { return k + " " + base64.StdEncoding.EncodeToString([]byte(v)) }
	return pair("filename", m.Name) + "," + pair("sha256", m.SHA256) + "," + pair("ticket", m.Ticket)
}

// File asks whether the platform holds contents with this SHA-256; found is
// false when it does not.
func (c *Client) File(ctx context.Context, sum string) (f File, found bool, err error) {
	err = c.call(ctx, http.MethodGet, PathFiles+sum, nil, &f)
	var se *StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return f, false, nil
	}
	return f, err == nil, err
}

// CreateUpload makes an upload of size bytes and returns its URL.
func (c *Client) CreateUpload(ctx context.Context, size int64, meta UploadMeta) (string, error) {
	req, err := c.tusRequest(ctx, http.MethodPost, c.Base+PathUploads, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", meta.header())
	resp, err := c.do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", statusError(resp)
	}
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("platform made an upload without a location: %w", err)
	}
	return loc.String(), nil
}

// UploadOffset asks how many bytes of the upload at location the platform
// has. ErrUploadGone when it has no such upload.
func (c *Client) UploadOffset(ctx context.Context, location string) (int64, error) {
	req, err := c.tusRequest(ctx, http.MethodHead, location, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusNoContent:
	case http.StatusNotFound, http.StatusGone:
		return 0, ErrUploadGone
	default:
		return 0, &StatusError{Status: resp.StatusCode}
	}
	return strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
}

// Patch sends n bytes from body, which start at offset in the file, and
// returns the offset the platform has after them. The body is streamed: a
// gigabyte goes through a small buffer.
func (c *Client) Patch(ctx context.Context, location string, offset int64, body io.Reader, n int64) (int64, error) {
	req, err := c.tusRequest(ctx, http.MethodPatch, location, body)
	if err != nil {
		return offset, err
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	resp, err := c.do(req)
	if err != nil {
		return offset, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		return offset, ErrUploadGone
	default:
		return offset, statusError(resp)
	}
	return strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
}

// Attachments lists a ticket's attachments.
func (c *Client) Attachments(ctx context.Context, number string) ([]complaint.Attachment, error) {
	var out []complaint.Attachment
	err := c.call(ctx, http.MethodGet, PathTickets+url.PathEscape(number)+"/attachments", nil, &out)
	return out, err
}

// Download fetches an attachment's contents from byte from on (for a
// download that broke off), answering the response whose body the caller
// reads and closes. ifRange is the attachment's SHA-256: if the contents are
// not those, the whole file comes (status 200) instead of the rest (206).
func (c *Client) Download(ctx context.Context, number, id string, from int64, ifRange string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+PathTickets+url.PathEscape(number)+"/attachments/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if from > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(from, 10)+"-")
		req.Header.Set("If-Range", `"`+ifRange+`"`)
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		defer resp.Body.Close()
		return nil, statusError(resp)
	}
	return resp, nil
}

func (c *Client) tusRequest(ctx context.Context, method, location string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, location, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Tus-Resumable", tusVersion)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	return req, nil
}

func (c *Client) do(req *http.Request) (*http.Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

// statusError reads a refusal: the API's JSON error when the body is one,
// else the body's first line (tusd's own refusals are plain text).
func statusError(resp *http.Response) *StatusError {
	se := &StatusError{Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &se.Err) != nil || se.Err.Message == "" {
		line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		se.Err = Error{Code: CodeBadRequest, Message: line}
	}
	return se
}
