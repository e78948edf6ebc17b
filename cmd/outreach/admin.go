package main

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/hibiken/asynqmon"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
)

// adminQueuesPath is where operators see the SMS queue in asynqmon.
const adminQueuesPath = "/admin/queues"

// adminUser is the HTTP Basic user of the admin pages; the password is
// the API token.
const adminUser = "admin"

// mountQueueMonitor serves asynqmon, the asynq web UI, under
// adminQueuesPath, so that operators can watch the SMS tasks and retry,
// pause or delete them. It reads the service's own Redis client (which
// the stack closes) and refuses cross-site writes, since browsers replay
// Basic credentials on their own.
func mountQueueMonitor(e *echo.Echo, rdb redis.UniversalClient, apiToken string) {
	mon := asynqmon.New(asynqmon.Options{
		RootPath:     adminQueuesPath,
		RedisConnOpt: sharedRedis{rdb},
		ReadOnly:     false,
	})
	h := echo.WrapHandler(http.NewCrossOriginProtection().Handler(mon))
	auth := requireAdmin(apiToken)
	e.Any(adminQueuesPath, h, auth)
	e.Any(adminQueuesPath+"/*", h, auth)
}

// sharedRedis hands an existing client to asynq, which opens no
// connection pool of its own. asynqmon would close it on Close, which
// is never called: the client belongs to the stack.
type sharedRedis struct{ client redis.UniversalClient }

// MakeRedisClient implements asynq.RedisConnOpt.
func (r sharedRedis) MakeRedisClient() any { return r.client }

// requireAdmin lets through HTTP Basic "admin" with the API token as the
// password, or the Bearer API token. Anything else gets a 401 with a
// Basic challenge, so that a browser asks for them. With no API token,
// nobody gets through.
func requireAdmin(apiToken string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if apiToken != "" && isAdmin(c.Request(), apiToken) {
				return next(c)
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="outreach admin", charset="UTF-8"`)
			return echo.NewHTTPError(http.StatusUnauthorized,
				"HTTP Basic admin:<API_TOKEN> or a Bearer API token is required")
		}
	}
}

// isAdmin checks the credentials in constant time.
func isAdmin(r *http.Request, apiToken string) bool {
	if user, password, ok := r.BasicAuth(); ok {
		userOK := subtle.ConstantTimeCompare([]byte(user), []byte(adminUser))
		passwordOK := subtle.ConstantTimeCompare([]byte(password), []byte(apiToken))
		return userOK&passwordOK == 1
	}
	token, ok := strings.CutPrefix(r.Header.Get(echo.HeaderAuthorization), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(token), []byte(apiToken)) == 1
}
