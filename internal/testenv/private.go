package testenv

// Private servers for the outage tests: a PostgreSQL cluster and a
// redis-server of one test's own, which the test may stop and start again
// on the same port without disturbing the shared servers other tests use.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/franceoutreach/outreach/postgres"
)

// PostgresCluster is a PostgreSQL server of one test's own, listening on
// 127.0.0.1 on a free port, holding one database migrated and loaded with
// the reference data as `outreach migrate` leaves it. The test may stop
// it (a crash) and start it again; it is removed when the test ends.
type PostgresCluster struct {
	t      testing.TB
	bin    string // directory of the PostgreSQL programs
	dir    string // owned by the server's user: data, socket, log
	port   int
	cred   *syscall.Credential // the postgres user when the test runs as root
	cmd    *exec.Cmd           // the postmaster, while it runs
	exited chan struct{}       // closed when cmd exits
	url    string
}

// PrivatePostgres initialises, starts and migrates a cluster of the
// test's own. The PostgreSQL programs are looked up in PG_BIN, then on
// PATH, then in /usr/lib/postgresql/*/bin (the newest version).
func PrivatePostgres(t testing.TB) *PostgresCluster {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		t.Fatalf("private PostgreSQL: %v (scripts/services.sh installs it)", err)
	}
	c := &PostgresCluster{t: t, bin: bin, port: freePort(t)}
	c.dir, err = os.MkdirTemp("", "outreach-pg-") // short: the socket path is bounded
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop()
		_ = os.RemoveAll(c.dir)
	})
	// PostgreSQL refuses to run as root: then it runs as postgres.
	if os.Geteuid() == 0 {
		if c.cred, err = userCredential("postgres"); err != nil {
			t.Fatalf("private PostgreSQL runs as the postgres user: %v", err)
		}
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	out, err := c.command(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput()
	if err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Start()
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/outreach?sslmode=disable", c.port)
	c.migrate()
	t.Logf("private PostgreSQL on port %d: initialised, started and migrated in %s", c.port, time.Since(start).Round(time.Millisecond))
	return c
}

// URL is the URL of the cluster's migrated database.
func (c *PostgresCluster) URL() string { return c.url }

// Start starts the server (again) on its port and waits until it takes
// connections.
func (c *PostgresCluster) Start() {
	c.t.Helper()
	if c.cmd != nil {
		c.t.Fatal("private PostgreSQL already running")
	}
	// No fsync: the tests crash the server, never the machine, and the OS
	// keeps what the server wrote. Commits stay synchronous, so that what
	// was acknowledged survives the crash.
	cmd := c.command(filepath.Join(c.bin, "postgres"), "-D", c.data(), "-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+c.dir,
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=100", "-c", "shared_buffers=32MB")
	logFile, err := os.OpenFile(filepath.Join(c.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start PostgreSQL: %v", err)
	}
	c.cmd, c.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); close(exited) }(c.exited)
	waitTCP(c.t, c.port, c.exited, c.log)
	// Taking TCP connections is not yet taking queries (recovery after a
	// crash): wait for a query to pass.
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", c.port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("private PostgreSQL takes no query: %v\n%s", err, c.log())
		}
	}
}

// Stop stops the server as `pg_ctl stop -m immediate` does (SIGQUIT to the
// postmaster): no checkpoint, clients cut off, crash recovery at the next
// start, as when a database host fails. It does nothing when stopped.
func (c *PostgresCluster) Stop() {
	if c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	c.cmd, c.exited = nil, nil
}

func (c *PostgresCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *PostgresCluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	return string(b)
}

// command runs a PostgreSQL program as the server's user, in its directory,
// and kills it if the test binary dies first.
func (c *PostgresCluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGQUIT}
	return cmd
}

// migrate does what `outreach migrate` does: create the database, apply
// the migrations, load the reference data.
func (c *PostgresCluster) migrate() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := postgres.EnsureDatabase(ctx, c.url); err != nil {
		c.t.Fatal(err)
	}
	if _, err := postgres.Migrate(ctx, c.url); err != nil {
		c.t.Fatalf("migrate private PostgreSQL: %v", err)
	}
	pool, err := pgxpool.New(ctx, c.url)
	if err != nil {
		c.t.Fatal(err)
	}
	defer pool.Close()
	if _, err := postgres.LoadReference(ctx, pool); err != nil {
		c.t.Fatalf("load reference data into private PostgreSQL: %v", err)
	}
}

// postgresBin finds the directory of initdb and postgres.
func postgresBin() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// The newest version: compare the major versions as numbers.
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb not found in PG_BIN, on PATH or in /usr/lib/postgresql/*/bin")
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func userCredential(name string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, err
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// RedisServer is a redis-server of one test's own, keeping nothing on
// disk, which the test may kill and start again (empty) on the same port.
type RedisServer struct {
	t      testing.TB
	bin    string
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
	out    *strings.Builder
}

// PrivateRedis starts a redis-server of the test's own on a free port; it
// is killed when the test ends.
func PrivateRedis(t testing.TB) *RedisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found: scripts/services.sh installs it")
	}
	r := &RedisServer{t: t, bin: bin, port: freePort(t)}
	t.Cleanup(r.Stop)
	r.Start()
	return r
}

// URL is the server's redis:// URL.
func (r *RedisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// Start starts the server (again, empty) and waits until it takes connections.
func (r *RedisServer) Start() {
	r.t.Helper()
	if r.cmd != nil {
		r.t.Fatal("private Redis already running")
	}
	r.out = &strings.Builder{}
	cmd := exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--daemonize", "no")
	cmd.Stdout, cmd.Stderr = r.out, r.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	r.cmd, r.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); close(exited) }(r.exited)
	waitTCP(r.t, r.port, r.exited, func() string {
		select {
		case <-r.exited: // its output is complete
			return r.out.String()
		default:
			return ""
		}
	})
}

// Stop kills the server (SIGKILL): its data is gone. It does nothing when
// stopped.
func (r *RedisServer) Stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.cmd, r.exited = nil, nil
}

// freePort is a TCP port free on 127.0.0.1 a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitTCP waits until the port takes connections, failing the test if the
// server exits first.
func waitTCP(t testing.TB, port int, exited <-chan struct{}, log func() string) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("server on %s exited at start\n%s", addr, log())
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server on %s does not take connections\n%s", addr, log())
		}
	}
}
