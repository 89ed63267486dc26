package org.ndkkit.remote;

/** A kit-side object that stands for an object the agent handed out. */
interface RemoteHandle {
    AgentLink link();

    long handle();
}
