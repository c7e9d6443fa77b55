package chat

import (
	"encoding/json"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// natsSubject carries every note; nodes filter locally by socket.
const natsSubject = "layan.chat.notes"

// NATSBroker shares notes between nodes. NATS is only a doorbell: a note
// lost on the way is recovered from the database by sequence number.
type NATSBroker struct {
	nc  *nats.Conn
	log *slog.Logger
}

// DialNATS connects to url, reconnecting forever.
func DialNATS(url string, log *slog.Logger) (*NATSBroker, error) {
	nc, err := nats.Connect(url, nats.Name("layan-chat"), nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond), nats.Timeout(5*time.Second))
	if err != nil {
		return nil, err
	}
	return &NATSBroker{nc: nc, log: log}, nil
}

// Publish sends n to every node (this one included).
func (b *NATSBroker) Publish(n Note) error {
	data, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return b.nc.Publish(natsSubject, data)
}

// Start subscribes and delivers what arrives.
func (b *NATSBroker) Start(deliver func(Note)) (func(), error) {
	sub, err := b.nc.Subscribe(natsSubject, func(m *nats.Msg) {
		var n Note
		if err := json.Unmarshal(m.Data, &n); err != nil {
			b.log.Warn("chat: bad note from NATS", "err", err)
			return
		}
		deliver(n)
	})
	if err != nil {
		return nil, err
	}
	_ = sub.SetPendingLimits(1<<20, 256<<20)
	return func() {
		_ = sub.Unsubscribe()
		b.nc.Close()
	}, nil
}
