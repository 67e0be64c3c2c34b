#include "ike/codec/message_builder.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <cstdint>
#include <string>

namespace l2tpsec::ike {

MessageBuilder &MessageBuilder::add(PayloadType type, std::vector<uint8_t> body)
{
	payloads_.push_back(OutPayload{type, std::move(body)});
	return *this;
}

MessageBuilder &MessageBuilder::addResult(PayloadType type, Result<std::vector<uint8_t>> body)
{
	if (!body) {
		if (!error_)
			error_ = std::move(body).error();
		return *this;
	}
	return add(type, std::move(*body));
}

MessageBuilder &MessageBuilder::add(const SaPayload &sa)
{
	return addResult(PayloadType::SecurityAssociation, buildSa(sa));
}

MessageBuilder &MessageBuilder::add(const IdPayload &id)
{
	return add(PayloadType::Identification, buildId(id));
}

MessageBuilder &MessageBuilder::add(const CertificatePayload &cert)
{
	return add(PayloadType::Certificate, buildCertificate(cert));
}

MessageBuilder &MessageBuilder::add(const CertificateRequestPayload &cr)
{
	return add(PayloadType::CertificateRequest, buildCertificateRequest(cr));
}

MessageBuilder &MessageBuilder::add(const NotifyPayload &n)
{
	return addResult(PayloadType::Notification, buildNotify(n));
}

MessageBuilder &MessageBuilder::add(const DeletePayload &d)
{
	return addResult(PayloadType::Delete, buildDelete(d));
}

MessageBuilder &MessageBuilder::add(const NatDPayload &p, PayloadType type)
{
	return add(type, buildOpaque(p));
}

MessageBuilder &MessageBuilder::add(const NatOaPayload &p, PayloadType type)
{
	return add(type, buildNatOa(p));
}

MessageBuilder &MessageBuilder::add(const ParsedPayload &p)
{
	auto out = buildPayload(p);
	if (!out)
		return addResult(p.type, std::move(out).error());
	return add(out->type, std::move(out->body));
}

PayloadType MessageBuilder::firstPayload() const
{
	return payloads_.empty() ? PayloadType::None : payloads_.front().type;
}

Result<std::vector<uint8_t>> MessageBuilder::buildBody() const
{
	if (error_)
		return *error_;
	return encodePayloadChain(payloads_);
}

Result<std::vector<uint8_t>> MessageBuilder::build() const
{
	L2S_TRY_ASSIGN(auto body, buildBody());
	Header h = header_;
	h.nextPayload = firstPayload();
	return buildMessage(h, body);
}

Result<std::vector<uint8_t>> buildMessage(const Header &header, Bytes body)
{
	if (body.size() > UINT32_MAX - kHeaderLen)
		return tooLarge("message body of " + std::to_string(body.size()) + " bytes");
	Header h = header;
	h.length = static_cast<uint32_t>(kHeaderLen + body.size());
	std::vector<uint8_t> out = buildHeader(h);
	wire::putBytes(out, body);
	return out;
}

} // namespace l2tpsec::ike
