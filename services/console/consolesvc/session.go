package consolesvc

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
)

// cookieName carries the session id. The __Host- prefix makes browsers
// refuse it unless it is Secure, host-only and for the whole site.
const cookieName = "__Host-holdfast-console"

// Session timeouts: a session ends after IdleTimeout without a request and
// in any case AbsoluteTimeout after sign-in.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

// session is one browser's state, kept on the server: the cookie holds
// only a random id.
type session struct {
	id   string
	csrf string
	// lang is the chosen language, "" until the user picks one.
	lang string
	// signedIn is false for the anonymous session a sign-in form runs in.
	signedIn  bool
	principal auth.Principal
	// token is the bearer token the console calls the APIs with, as the
	// user; it never reaches the browser.
	token     string
	created   time.Time
	lastSeen  time.Time
	expiresAt time.Time // the token's own expiry bounds the session too
	// revealed holds the names this session revealed, by employee id, for
	// the session's lifetime (each reveal is recorded by the attendance
	// service).
	revealed map[string]string
}

// sessions is the in-memory session store. Sessions do not survive a
// restart of the console: users sign in again, which is the safe failure.
type sessions struct {
	mu       sync.Mutex
	byID     map[string]*session
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
	// max bounds memory against a flood of anonymous sessions.
	max int
}

func newSessions(idle, absolute time.Duration, now func() time.Time) *sessions {
	return &sessions{byID: map[string]*session{}, idle: idle, absolute: absolute, now: now, max: 100_000}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// get returns the live session named by the request's cookie, or nil.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[c.Value]
	if ss == nil {
		return nil
	}
	now := s.now()
	if now.Sub(ss.lastSeen) > s.idle || now.Sub(ss.created) > s.absolute || (!ss.expiresAt.IsZero() && !now.Before(ss.expiresAt)) {
		delete(s.byID, ss.id)
		return nil
	}
	ss.lastSeen = now
	cp := *ss
	cp.revealed = maps.Clone(ss.revealed)
	return &cp
}

// start stores a new session and sets its cookie. A sign-in always starts
// a new session (new id, new CSRF token), so an id planted before sign-in
// is worthless after it. It returns nil when the store is full even after
// dropping expired and the oldest anonymous sessions: a flood of sign-in
// forms must not grow memory without bound.
func (s *sessions) start(w http.ResponseWriter, ss session) *session {
	now := s.now()
	ss.id, ss.csrf, ss.created, ss.lastSeen = randomToken(), randomToken(), now, now
	s.mu.Lock()
	if len(s.byID) >= s.max {
		s.evictLocked(now)
	}
	if len(s.byID) >= s.max {
		s.mu.Unlock()
		return nil
	}
	s.byID[ss.id] = &ss
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: ss.id, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
	})
	return &ss
}

// update saves changes to a session the handler changed (its language).
func (s *sessions) update(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.byID[ss.id]; cur != nil {
		cur.lang = ss.lang
	}
}

// reveal remembers a name the session revealed.
func (s *sessions) reveal(ss *session, employeeID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.byID[ss.id]; cur != nil {
		if cur.revealed == nil {
			cur.revealed = map[string]string{}
		}
		cur.revealed[employeeID] = name
	}
}

// end deletes the session and clears its cookie.
func (s *sessions) end(w http.ResponseWriter, ss *session) {
	if ss != nil {
		s.mu.Lock()
		delete(s.byID, ss.id)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
	})
}

// evictLocked drops expired sessions, then, while the store is over 90 %
// full, the least recently seen anonymous ones (sign-in forms never
// submitted); signed-in sessions are only dropped when they expire.
func (s *sessions) evictLocked(now time.Time) {
	var anonymous []*session
	for id, ss := range s.byID {
		switch {
		case now.Sub(ss.lastSeen) > s.idle || now.Sub(ss.created) > s.absolute:
			delete(s.byID, id)
		case !ss.signedIn:
			anonymous = append(anonymous, ss)
		}
	}
	slices.SortFunc(anonymous, func(a, b *session) int { return a.lastSeen.Compare(b.lastSeen) })
	for _, ss := range anonymous {
		if len(s.byID) < s.max*9/10 {
			return
		}
		delete(s.byID, ss.id)
	}
}

// validCSRF compares a submitted token with the session's in constant time.
func (ss *session) validCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(ss.csrf)) == 1
}
