// The aggregator's event loop on its two sockets (docs/protocol.md):
//
//   control plane  ClientSocket (DEALER) to the coordinator's aggregator endpoint, CURVE
//                  client with the enclave's fresh key, coordinator key pinned. Receives
//                  AttestRequest, RoundOpen + PayloadChunk "model/<r>", Finalize, Shutdown;
//                  sends Heartbeat (every heartbeat_interval), AttestResponse, UpdateStatus,
//                  RoundResult + PayloadChunk "aggregate/<r>", Error.
//   data plane     ServerSocket (ROUTER), CURVE server with the same fresh key; its ZAP
//                  domain admits exactly the current round's participant set. Receives
//                  AttestRequest (the participant's own challenge), UpdateStart, UpdateChunk;
//                  sends AttestResponse, UpdateStatus, Error.
//
// Every refusal is a named Error (or UpdateStatus{accepted=false, reason}); a bad message
// from one peer never stops the service for the others. Error codes sent:
//   protocol.version, protocol.malformed, protocol.unexpected,
//   attest.bad_challenge, attest.failed,
//   round.rollback, round.wrong_federation, round.invalid, round.bad_participants,
//   round.bad_min_participants, round.unknown_strategy, round.bad_strategy_params,
//   round.model_too_large, round.model_digest_mismatch, round.bad_model, payload.* (from
//   federation::PayloadAssembler), payload.unexpected, round.wrong_round, round.not_ready,
//   round.too_few_updates, aggregate.non_finite, aggregate.failed,
//   auth.not_in_round, auth.id_mismatch, update.wrong_federation, update.duplicate,
//   update.no_stream and, as UpdateStatus reasons, those of update_ingest.h plus
//   update.timeout (no chunk for stream_idle_timeout) and round.closed (the round moved on
//   or was finalized while the stream was in flight).
//
// Updates in plaintext exist only inside this process, in staging buffers that are wiped;
// logs and metrics carry ids, digests and counts, never values or keys.
//
// Threading: the socket thread (Run) owns the sockets, the round state and the stream table;
// it hands each UpdateChunk to the IngestPool worker that owns the stream (per-stream order
// kept) and takes the verdicts back through an eventfd, so Accept / Reject and every reply
// happen on the socket thread as before. The strategy is driven through a SharedStrategy
// (one mutex). Before RoundOpen, a global model chunk, Finalize, a repeated UpdateStart and
// shutdown the service waits for the workers and applies every pending verdict, so these see
// exactly the state a single-threaded service would.
//
// Thread-safety: Create on one thread, then Run on one thread (it may be another); the
// accessors are safe from any thread after Create.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "aggregator/fedavg.h"
#include "aggregator/ingest_pool.h"
#include "aggregator/keys.h"
#include "aggregator/round_state.h"
#include "aggregator/update_ingest.h"
#include "attestation/attester.h"
#include "base/status.h"
#include "federation/payload_stream.h"
#include "federation/runtime.h"
#include "model/safetensors.h"
#include "model/tensor.h"
#include "transport/socket.h"
#include "transport/zap_authenticator.h"

namespace fedtee::aggregator {

// The ZAP domain of the data plane.
inline constexpr char kDataZapDomain[] = "fedtee.aggregator.data";

struct ServiceOptions {
  // The coordinator's aggregator endpoint, "tcp://host:port". Required.
  std::string coordinator_endpoint;
  // The coordinator's Z85 CURVE public key, pinned. Required.
  std::string coordinator_key;
  // Where the data plane binds; port 0 picks a free port.
  std::string listen = "tcp://127.0.0.1:0";
  // The data endpoint told to coordinator and participants; "" = the bound endpoint.
  std::string advertise;
  // Largest frame accepted on either socket (ZMQ_MAXMSGSIZE).
  size_t max_message_bytes = size_t{16} << 20;
  // Data bytes per PayloadChunk of the aggregate; must leave room under max_message_bytes.
  size_t chunk_bytes = size_t{1} << 20;
  // Largest global model accepted in RoundOpen.
  uint64_t max_model_bytes = uint64_t{2} << 30;
  // Most update streams staged at once (each holds a model-sized float buffer);
  // 0 = the round's participant count.
  size_t max_in_flight = 0;
  // How often a Heartbeat goes to the coordinator.
  std::chrono::milliseconds heartbeat_interval{1000};
  // Longest wait in one poll; the stop predicate is checked at least this often.
  std::chrono::milliseconds poll_interval{100};
  // Worker threads opening update streams (each stream on one worker, different streams in
  // parallel; see ingest_pool.h). 0 = DefaultIngestThreads() (the cores, at most 8).
  size_t ingest_threads = 0;
  // A stream with no chunk for this long is rejected ("update.timeout").
  std::chrono::milliseconds stream_idle_timeout{60000};
  // Socket settings other than max_message_bytes (send timeout, heartbeats, linger).
  transport::SocketOptions socket;
};

class Service {
 public:
  // Binds the data plane and connects the control plane. `attester` produces the evidence;
  // `metrics` (may be null) gets one JSON line per update verdict and per round. Errors:
  // INVALID_ARGUMENT "config.*" / "transport.bad_endpoint" / "curve.bad_key" for bad
  // options; transport errors (e.g. UNAVAILABLE "transport.address_in_use").
  static Result<std::unique_ptr<Service>> Create(ServiceOptions options,
                                                 std::unique_ptr<EnclaveKeys> keys,
                                                 std::unique_ptr<attestation::Attester> attester,
                                                 federation::MetricsWriter* metrics);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Serves until `stop()` returns true (polled at least every poll_interval) or the
  // coordinator sends Shutdown. OK then; an error only when a socket fails hard.
  Status Run(const std::function<bool()>& stop);

  // The endpoint the data plane actually bound, and the one advertised in AttestResponse.
  const std::string& bound_endpoint() const { return data_->bound_endpoint(); }
  const std::string& data_endpoint() const { return advertised_; }
  const EnclaveKeys& keys() const { return *keys_; }

 private:
  struct Stream {
    // Shared with the worker's queued tasks; the last one to let go destroys it.
    std::shared_ptr<UpdateIngest> ingest;
    Bytes routing_id;
    std::chrono::steady_clock::time_point last_activity;
    std::chrono::steady_clock::time_point started;
    uint64_t serial = 0;      // tells this stream's verdicts from a replaced one's
    size_t lane = 0;          // the IngestPool worker that owns it
    size_t pending = 0;       // chunks posted whose verdict has not come back
    bool failed = false;      // rejected; later chunks are drained quietly
    bool final_seen = false;  // the final chunk arrived: the stream ends with its verdict
  };
  // A worker's verdict on one chunk, applied on the socket thread.
  struct ChunkVerdict {
    std::string participant_id;
    uint64_t serial = 0;
    bool final = false;
    Result<bool> done = false;
  };
  struct FinalizedRound {
    uint64_t round = 0;
    Bytes result_frame;  // encoded RoundResult envelope
    Bytes model;         // the aggregate's safetensors bytes
  };

  Service(ServiceOptions options, std::unique_ptr<EnclaveKeys> keys,
          std::unique_ptr<attestation::Attester> attester, federation::MetricsWriter* metrics);

  // Control plane.
  void OnControlFrame(ByteSpan frame);
  void OnAttestRequest(const v1::AttestRequest& req, const std::function<void(Bytes)>& reply);
  void OnRoundOpen(const v1::RoundOpen& open);
  void OnModelChunk(const v1::PayloadChunk& chunk);
  Status TakeGlobalModel(Bytes safetensors);
  void OnFinalize(const v1::Finalize& fin);
  Status SendFinalized(const FinalizedRound& done);
  void SendControl(Bytes frame);
  void SendControlError(const Status& s);

  // Data plane.
  void OnDataMessage(transport::Incoming in);
  void OnUpdateStart(const transport::Incoming& in, const v1::UpdateStart& start);
  void OnUpdateChunk(const transport::Incoming& in, v1::UpdateChunk chunk);
  // Applies the verdicts the workers sent back (Accept / Reject on this thread).
  void TakeVerdicts();
  void ApplyVerdict(ChunkVerdict v);
  // Waits for every posted chunk and applies its verdict.
  void SettleIngest();
  // Removes a stream from the table and frees its lane.
  void EraseStream(std::map<std::string, Stream>::iterator it);
  void SendData(ByteSpan routing_id, Bytes frame);
  // Closes a stream with a verdict sent to the participant and the coordinator.
  void Reject(const std::string& participant_id, Stream& stream, const Status& why);
  void Accept(const std::string& participant_id, Stream& stream);
  // Rejects (with `reason`) every stream still in flight and forgets them.
  void CloseAllStreams(const std::string& reason, const std::string& message);
  void ExpireIdleStreams();

  ServiceOptions options_;
  std::unique_ptr<EnclaveKeys> keys_;
  std::unique_ptr<attestation::Attester> attester_;
  federation::MetricsWriter* metrics_;

  // Declaration order matters: sockets go before the authenticator, which goes before the
  // context (destruction runs in reverse).
  zmq::context_t context_;
  std::unique_ptr<transport::ZapAuthenticator> zap_;
  std::optional<transport::ServerSocket> data_;
  std::optional<transport::ClientSocket> control_;
  std::string advertised_;

  RoundState round_;
  std::unique_ptr<Strategy> strategy_;
  std::optional<federation::PayloadAssembler> model_in_;
  // The model stream of a refused RoundOpen: its chunks are dropped without one Error each.
  std::string refused_model_stream_;
  model::ModelParams global_;                   // the round's global model (layout and values)
  model::SafetensorsMetadata global_metadata_;  // carried over to the aggregate
  ModelLayout layout_;
  std::map<std::string, Stream> streams_;  // by participant id; failed ones until final
  uint64_t next_stream_serial_ = 1;
  // Ingest threads. Declared after strategy_ and streams_ so that it is destroyed first
  // (the destructor drains it explicitly as well).
  std::optional<SharedStrategy> shared_strategy_;  // over *strategy_, for the workers
  std::unique_ptr<IngestPool> pool_;
  int verdict_fd_ = -1;  // eventfd: a worker posted to verdicts_
  std::mutex verdicts_mu_;
  std::vector<ChunkVerdict> verdicts_;
  std::optional<FinalizedRound> finalized_;
  bool shutdown_requested_ = false;
};

}  // namespace fedtee::aggregator
