#pragma once
// Quick Mode (RFC 2409 §5.5) as exchange objects, one per message id under
// an established ISAKMP SA, the role fixed by the class: QuickModeInitiator
// sends QM1 and answers QM2 with QM3, QuickModeResponder answers QM1 with
// QM2 and waits for QM3. Each holds what its exchange needs (nonces, PFS
// key, the flow it reserved, our inbound SPI, its IV and flight); the
// ISAKMP SA (IkeSa) files them, routes their messages and runs their timers.
// Internal to src/ike/.

#include "ike/ike_sa.h"

#include <memory>

namespace l2tpsec::ike {

class QuickMode {
public:
	enum class State : uint8_t { InitSent, RespSent, Done };
	virtual ~QuickMode() = default;
	/// A Quick Mode message for `sa` (established): a QM1 with a new message
	/// id starts a QuickModeResponder, which `sa` files; another goes to its
	/// exchange; a replayed one is dropped.
	static void deliver(IkeSa &sa, Incoming &in);
	QuickMode(const QuickMode &) = delete;
	QuickMode &operator=(const QuickMode &) = delete;

	/// A message of this exchange after the first; false when it waits for
	/// none (ended, or a message of the other role).
	virtual bool receive(Incoming &in) = 0;
	/// Ends it: the SPI and flow it reserved go back unless its pair holds
	/// them. A non-empty `why` is logged as the failure, and our own
	/// exchange's failure is reported to the observer.
	void end(const std::string &why);

	uint32_t messageId() const { return messageId_; }
	bool initiator() const { return initiator_; }
	State state() const { return state_; }
	uint32_t inboundSpi() const { return inboundSpi_; }
	/// The flow it holds until its pair does, if any.
	const kernel::Selector *heldFlow() const { return flowAcquired_ ? &flow_ : nullptr; }
	TimePoint expires() const { return expires_; }
	Flight &flight() { return flight_; }
	const Flight &flight() const { return flight_; }

protected:
	QuickMode(IkeSa &sa, uint32_t messageId, bool initiator);
	/// The flow reserved (our reqid) for this exchange's pair.
	Result<void> acquireFlow();
	/// HDR*, HASH, rest: sealed with this exchange's IV, which goes on.
	Result<std::vector<uint8_t>> seal(Bytes hash, std::span<const OutPayload> rest);
	/// KEYMAT and the SA pair into the kernel, filed under the ISAKMP SA;
	/// false (logged, rolled back) when that failed.
	bool installChild();
	/// Finished: it lingers to answer a retransmission of the last message.
	void finish();

	IkeSa &sa_;
	uint32_t messageId_;
	bool initiator_;
	State state_ = State::InitSent;
	std::vector<uint8_t> iv_;
	std::vector<uint8_t> ni_, nr_; ///< nonce bodies
	std::optional<crypto::DhKeyPair> dh_;
	EncapsulationMode mode_ = EncapsulationMode::Transport;
	std::optional<Phase2Choice> choice_;
	uint32_t inboundSpi_ = 0;
	kernel::Selector flow_;
	uint32_t reqid_ = 0;
	uint32_t mark_ = 0; ///< FlowGrant::mark
	bool flowAcquired_ = false;
	std::vector<uint8_t> idci_, idcr_; ///< ID bodies (echoed in QM2)
	std::optional<IpAddress> natOa_;
	std::string peerOffer_;         ///< responder: compactPhase2Offer() of QM1's SA
	crypto::SecretBytes pfsSecret_; ///< g(qm)^xy with PFS
	bool installed_ = false;        ///< the SA pair (and SPI and flow) went to the ISAKMP SA
	Flight flight_;
	TimePoint expires_{};
};

class QuickModeInitiator final : public QuickMode {
public:
	/// Sends Quick Mode 1 for `child` under message id `messageId`; the
	/// exchange, for the ISAKMP SA to file.
	static Result<std::unique_ptr<QuickModeInitiator>> start(IkeSa &sa, uint32_t messageId,
	                                                         const ChildRequest &child);
	bool receive(Incoming &in) override;
	/// Whether an error notify naming our SPI `spi` (nullopt: none named)
	/// answers this exchange, still waiting for QM2.
	bool awaits(std::optional<uint32_t> spi) const;

private:
	QuickModeInitiator(IkeSa &sa, uint32_t messageId);
	Result<void> sendQm1(const ChildRequest &child);
	/// Quick Mode 2 authenticated: its offer, nonce, KE, IDs and NAT-OA
	/// taken; an error ends the exchange with that reason.
	Result<void> takeQm2(const std::vector<RawPayload> &chain);
	void onQm2(Incoming &in);

	std::vector<EspSuite> offered_;
};

class QuickModeResponder final : public QuickMode {
public:
	/// Answers a Quick Mode 1 with QM2; nullptr when it was dropped or
	/// refused (logged, and the peer told when that helps).
	static std::unique_ptr<QuickModeResponder> respond(IkeSa &sa, Incoming &in);
	bool receive(Incoming &in) override;

private:
	QuickModeResponder(IkeSa &sa, uint32_t messageId);
	/// QM1 authenticated (its payloads `chain`): QM2 out, or false.
	bool answer(Incoming &in, const std::vector<RawPayload> &chain);
	/// Our choice from the offer, or nullopt (logged, the peer told).
	std::optional<Phase2Choice> choose(const SaPayload &offer, bool udpEncap);
	/// The IDs must name the L2TP flow between the two hosts: idci_,
	/// idcr_ and flow_ set, or false (logged).
	bool takeIdentities(const std::vector<RawPayload> &chain, bool tunnel);
	/// With PFS: our key pair and g(qm)^xy, or false (logged).
	bool takePfs(const std::vector<RawPayload> &chain, crypto::DhGroup group);
	/// The flow and our inbound SPI, or false (logged, the peer told).
	bool reserve(const SaPayload &offer);
	Result<std::vector<uint8_t>> buildQm2(const SaPayload &offer, bool udpEncap, bool tunnel);
	/// A notify about the offer to the peer, under the ISAKMP SA.
	void refuse(const SaPayload &offer, NotifyType type);
	void onQm3(Incoming &in);

	std::string flowText_; ///< "IDci <-> IDcr", for the log
};

} // namespace l2tpsec::ike
