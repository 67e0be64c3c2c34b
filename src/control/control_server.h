#pragma once
// ControlServer: the daemon's end of the control protocol
// (include/l2tpsec/control.h). It owns the listening UNIX socket and its
// clients, all on the event loop; commands are dispatched to handlers that
// the daemon registers by name.

#include "common/event_loop.h"
#include "common/result.h"
#include "common/unique_fd.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace l2tpsec {

class ControlServer {
public:
	/// A command handler: the whole request in, the "data" object out, or an
	/// Error whose message becomes the response's "error".
	using Handler = std::function<Result<nlohmann::json>(const nlohmann::json &request)>;

	/// Binds `path` (mode 0600, parent directory created 0755 if missing).
	/// A stale socket left by a dead daemon is replaced; a live one is an error.
	static Result<std::unique_ptr<ControlServer>> listen(EventLoop &loop, const std::string &path);
	~ControlServer();

	void handle(const std::string &cmd, Handler handler);

	/// Answers one request line; pure apart from the handlers it calls.
	std::string respond(std::string_view requestLine);

	const std::string &path() const { return path_; }
	size_t clientCount() const { return clients_.size(); }

	static constexpr size_t kMaxClients = 64;

private:
	struct Client {
		UniqueFd fd;
		std::string in;
		std::string out;
		/// The client has shut down its sending side: it is dropped once
		/// the answers to the requests it sent before are out.
		bool peerClosed = false;
		/// An answer of at least kTrimAfterBytes went out: once it is sent,
		/// the heap it and its JSON took is given back (malloc_trim).
		bool bigReply = false;
	};
	ControlServer(EventLoop &loop, std::string path, UniqueFd fd);
	void acceptClients();
	void onClient(int fd, uint32_t events);
	void flush(Client &c);
	void drop(int fd);

	EventLoop &loop_;
	std::string path_;
	UniqueFd listenFd_;
	std::map<int, std::unique_ptr<Client>> clients_;
	std::map<std::string, Handler> handlers_;
};

} // namespace l2tpsec
