package distrib

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"grit/policy"
	"grit/trainers"
	"grit/trainers/configfile"
)

// Policy versions live in the Object Store bucket as vNNNNNN/<file> (the files policy.Save writes,
// plus the init folder's chat-template files when the run renders prompts through one) and a
// manifest vNNNNNN.json listing them with the run config. Version v is the learner's policy when
// it starts the step with 0-based index v. A task of step s names the version it samples with: s,
// or, issued ahead with workers.max_staleness k, an older one >= s-k. The manifest is written last: a worker that can read it finds every
// file. A worker keeps the versions it fetched in its cache folder.

// manifest describes one policy version.
type manifest struct {
	Version int      `json:"version"`
	Files   []string `json:"files"`
	Config  string   `json:"config"` // the run config as config.yaml holds it, secrets removed
}

func versionDir(v int) string           { return fmt.Sprintf("v%06d", v) }
func manifestName(v int) string         { return versionDir(v) + ".json" }
func objectName(v int, f string) string { return versionDir(v) + "/" + f }

// transferTimeout bounds one policy version's upload or download. Without a deadline the client
// gives every Object Store call 5 s, too short for a large model's chunks on a slow disk.
const transferTimeout = 10 * time.Minute

// maxChunk is the largest Object Store chunk a policy file is sent in. Fewer, larger chunks make
// the download several times faster (each chunk is one message through the ordered consumer and
// one copy through the client's pipe); the embedded server's max_payload (8 MiB) admits it.
const maxChunk = 4 << 20

// chunkOptions sends files in the largest chunks the server admits: maxChunk, or half its
// max_payload (a stand-alone server's default 1 MiB gives 512 KiB chunks), leaving room for the
// message's headers.
func chunkOptions(maxPayload int64) *jetstream.ObjectMetaOptions {
	return &jetstream.ObjectMetaOptions{ChunkSize: uint32(max(min(maxChunk, maxPayload/2), 64<<10))}
}

// chatTemplateFiles are the init-folder files a chat template is read from.
var chatTemplateFiles = []string{"tokenizer_config.json", "chat_template.jinja"}

// publishPolicy stores pol as version v with the run config cfg.
// chunks is the Object Store chunk option (chunkOptions).
func publishPolicy(ctx context.Context, obj jetstream.ObjectStore, v int, pol policy.Policy, cfg trainers.Config, chunks *jetstream.ObjectMetaOptions) error {
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	tmp, err := os.MkdirTemp("", "grit-policy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, versionDir(v))
	if err := pol.Save(dir); err != nil {
		return fmt.Errorf("saving policy version %d: %w", v, err)
	}
	if cfg.Workers.WeightsDType == trainers.WeightsBF16 {
		if err := rewriteBF16(filepath.Join(dir, policy.WeightsFile), pol.Params()); err != nil {
			return fmt.Errorf("policy version %d as bf16: %w", v, err)
		}
	}
	if cfg.ChatTemplate {
		for _, name := range chatTemplateFiles {
			if raw, err := os.ReadFile(filepath.Join(cfg.Init, name)); err == nil {
				if _, err := os.Stat(filepath.Join(dir, name)); os.IsNotExist(err) {
					if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
						return err
					}
				}
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	cfgYAML, err := configfile.Dump(withoutSecrets(cfg))
	if err != nil {
		return err
	}
	m := manifest{Version: v, Config: string(cfgYAML)}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		_, err = obj.Put(ctx, jetstream.ObjectMeta{Name: objectName(v, e.Name()), Opts: chunks}, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("uploading policy version %d file %s: %w", v, e.Name(), err)
		}
		m.Files = append(m.Files, e.Name())
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := obj.PutBytes(ctx, manifestName(v), raw); err != nil {
		return fmt.Errorf("uploading policy version %d manifest: %w", v, err)
	}
	return nil
}

// withoutSecrets is cfg with the workers: section reset to the defaults: a worker needs none of
// it, and the credentials must not travel.
func withoutSecrets(cfg trainers.Config) trainers.Config {
	cfg.Workers = trainers.Defaults().Workers
	return cfg
}

// errNoVersion: the version a task names is no longer (or not yet) in the bucket.
var errNoVersion = errors.New("policy version not in the bucket")

// fetchPolicy downloads version v into cacheDir/vNNNNNN and loads it. The returned config has Init
// pointing at that folder (where the chat-template files are); cfgText is the config as the
// learner wrote it (the same for every version of one run).
func fetchPolicy(ctx context.Context, obj jetstream.ObjectStore, v int, cacheDir string) (pol policy.Policy, cfg trainers.Config, cfgText string, err error) {
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	raw, err := obj.GetBytes(ctx, manifestName(v))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, trainers.Config{}, "", fmt.Errorf("%w: version %d", errNoVersion, v)
	}
	if err != nil {
		return nil, trainers.Config{}, "", fmt.Errorf("reading policy version %d manifest: %w", v, err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, trainers.Config{}, "", fmt.Errorf("policy version %d manifest: %w", v, err)
	}
	dir := filepath.Join(cacheDir, versionDir(v))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, trainers.Config{}, "", err
	}
	for _, f := range m.Files {
		if strings.ContainsAny(f, `/\`) || f == ".." {
			return nil, trainers.Config{}, "", fmt.Errorf("policy version %d manifest names a bad file %q", v, f)
		}
		if err := getFile(ctx, obj, objectName(v, f), filepath.Join(dir, f)); err != nil {
			if errors.Is(err, jetstream.ErrObjectNotFound) {
				return nil, trainers.Config{}, "", fmt.Errorf("%w: version %d file %s", errNoVersion, v, f)
			}
			return nil, trainers.Config{}, "", fmt.Errorf("downloading policy version %d file %s: %w", v, f, err)
		}
	}
	pol, err = policy.LoadPolicy(dir)
	if err != nil {
		return nil, trainers.Config{}, "", err
	}
	if err := os.WriteFile(filepath.Join(dir, configfile.ResolvedName), []byte(m.Config), 0o644); err != nil {
		return nil, trainers.Config{}, "", err
	}
	cfg, err = configfile.LoadResolved(dir)
	if err != nil {
		return nil, trainers.Config{}, "", fmt.Errorf("policy version %d: run config: %w", v, err)
	}
	cfg.Init = dir
	return pol, cfg, m.Config, nil
}

// pruneVersions deletes every version outside oldest..newest: no task can name another (a task
// of step s names a version >= s - max_staleness).
func pruneVersions(ctx context.Context, obj jetstream.ObjectStore, oldest, newest int) error {
	infos, err := obj.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing policy versions: %w", err)
	}
	for _, info := range infos {
		var v int
		if _, err := fmt.Sscanf(info.Name, "v%06d", &v); err == nil && v >= oldest && v <= newest {
			continue
		}
		if err := obj.Delete(ctx, info.Name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return fmt.Errorf("deleting %s from %s: %w", info.Name, policyBucket, err)
		}
	}
	return nil
}

// deleteAllObjects empties the bucket (a new learner starts with no versions).
func deleteAllObjects(ctx context.Context, obj jetstream.ObjectStore) error {
	return pruneVersions(ctx, obj, 0, -1)
}

// getObject downloads one object into a buffer of its size: the client's own GetBytes and GetFile
// copy through 32-64 KiB reads and a growing buffer, several times slower for a policy file. The
// object's SHA-256 digest is still checked (the client does it at end of stream, read below).
func getObject(ctx context.Context, obj jetstream.ObjectStore, name string) ([]byte, error) {
	res, err := obj.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	info, err := res.Info()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, info.Size)
	if _, err := io.ReadFull(res, buf); err != nil {
		return nil, err
	}
	var extra [1]byte
	switch n, err := res.Read(extra[:]); {
	case n > 0:
		return nil, fmt.Errorf("object %s is longer than its %d bytes", name, info.Size)
	case err == io.EOF:
		return buf, nil
	case err == nil:
		return nil, fmt.Errorf("object %s: no end of stream after %d bytes", name, info.Size)
	default:
		return nil, err // jetstream.ErrDigestMismatch among others
	}
}

// getFile downloads one object into the file path (getObject, one write).
func getFile(ctx context.Context, obj jetstream.ObjectStore, name, path string) error {
	buf, err := getObject(ctx, obj, name)
	if err != nil {
		return err
	}
	return os.WriteFile(path, buf, 0o644)
}
