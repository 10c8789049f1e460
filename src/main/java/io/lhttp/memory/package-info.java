/** The one memory budget for everything a client can make the server hold (issue 18). Plain Java. */
package io.lhttp.memory;
