package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// DefaultAddr is where the server listens unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// CheckAddr refuses to bind a non-loopback address without a token: an open detector
// on the network must at least ask who is calling.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if isLoopback(host) || token != "" {
		return nil
	}
	return fmt.Errorf("address %q is not loopback: set --token (or FAIRCLIP_TOKEN) to serve beyond this machine", addr)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpServer is the http.Server with explicit timeouts: a slow client cannot hold a
// connection forever, and a response may take the detection timeout plus a margin.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      s.opts.RequestTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
}

// ShutdownGrace is how long a shutdown waits for in-flight requests beyond the request
// timeout.
const ShutdownGrace = 5 * time.Second

// Serve answers requests on ln until ctx is done (SIGTERM in `fairclip serve`), then
// stops accepting connections, lets in-flight requests finish (up to the request
// timeout plus ShutdownGrace), and closes the server. It returns nil after a clean
// shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.httpServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String(), "auth", s.opts.Token != "",
		"max_concurrent", s.opts.MaxConcurrent, "queue", s.opts.QueueSize,
		"max_upload_bytes", s.opts.MaxUploadBytes, "request_timeout", s.opts.RequestTimeout)
	select {
	case err := <-errc:
		s.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.RequestTimeout+ShutdownGrace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := s.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// ListenAndServe checks addr (CheckAddr), listens on it and serves until ctx is done.
// ready, when not nil, is called with the bound address once the listener is up.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	if err := CheckAddr(addr, s.opts.Token); err != nil {
		s.Close()
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return fmt.Errorf("serve: %w", err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	return s.Serve(ctx, ln)
}
